/**
 * The regions a request's credential scope may name: every region AWS publishes (aws-regions.ts,
 * generated from botocore), the configured default region, and any listed in COFFER_REGIONS.
 * Anything else is refused at authentication, before a row could be namespaced by it.
 */
import { AWS_REGIONS } from './aws-regions.js';

export function allowedRegions(settings: { region: string; extraRegions?: readonly string[] }): ReadonlySet<string> {
  return new Set([...AWS_REGIONS, settings.region, ...(settings.extraRegions ?? [])]);
}
