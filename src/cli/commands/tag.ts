/** `coffer tag NAME [KEY=VALUE...] [--remove KEY...]`: add, remove or (with no pairs) list tags. */
import { UsageError, type CliCommand, type OptionSpecs } from '../cli-command.js';
import { parseOptions, parseTagPairs, toJson } from '../parse-options.js';

const OPTIONS = {
  remove: { type: 'string', multiple: true, value: 'KEY', description: 'remove the tag with this key' },
  json: { type: 'boolean', description: 'print the tags as JSON' },
} as const satisfies OptionSpecs;

export const tagCommand: CliCommand = {
  name: 'tag',
  summary: "list a parameter's tags, add KEY=VALUE tags, or --remove KEY",
  usage: 'coffer tag NAME [KEY=VALUE...] [--remove KEY]... [--json]',
  options: OPTIONS,
  examples: [
    'coffer tag /dev/app/db-password',
    'coffer tag /dev/app/db-password team=payments env=dev',
    'coffer tag /dev/app/db-password --remove env',
  ],
  async run(args, session, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    if (positionals.length < 1) throw new UsageError('tag takes a NAME');
    const [name, ...pairs] = positionals as [string, ...string[]];
    const parameters = await session.parameters();
    const resource = { ResourceType: 'Parameter' as const, ResourceId: name };
    if (pairs.length > 0) {
      await parameters.addTagsToResource({ ...resource, Tags: parseTagPairs(pairs) });
    }
    if (values.remove?.length) await parameters.removeTagsFromResource({ ...resource, TagKeys: values.remove });
    const { TagList: tags = [] } = await parameters.listTagsForResource(resource);
    io.out(values.json ? toJson(tags) : tags.map((t) => `${t.Key}=${t.Value}\n`).join(''));
    return 0;
  },
};
