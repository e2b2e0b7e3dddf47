/** Alert rules: the defaults, the YAML and JSON loader, the defaults merge, and clear errors for bad rules. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  DEFAULT_ALERT_RULES,
  InvalidAlertRules,
  loadAlertRules,
  READ_EVENT_NAMES,
} from '../../../src/engine/audit/alert-rules.js';

const dir = mkdtempSync(join(tmpdir(), 'coffer-alerts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function file(name: string, content: string): string {
  const path = join(dir, `${files++}-${name}`);
  writeFileSync(path, content);
  return path;
}

const HOOK = 'https://hooks.example.test/services/T000/B000/SECRETTOKEN';
const OTHER = 'http://127.0.0.1:9000/alerts';

describe('alert rules', () => {
  it("documents the seeds' four alarms as defaults", () => {
    assert.deepEqual(
      DEFAULT_ALERT_RULES.map((r) => [r.name, r.threshold, r.windowSeconds, r.groupBy]),
      [
        ['denied-access', 0, 300, undefined],
        ['read-burst', 1000, 3600, 'resource'],
        ['failed-retrievals', 5, 300, undefined],
        ['rotation-failure', 0, 300, undefined],
      ],
    );
    assert.deepEqual(READ_EVENT_NAMES, [
      'GetParameter',
      'GetParameters',
      'GetParametersByPath',
      'GetParameterHistory',
      'GetSecretValue',
      'BatchGetSecretValue',
    ]);
    assert.deepEqual(DEFAULT_ALERT_RULES[2]!.filter, { eventName: READ_EVENT_NAMES, errorCode: '*' });
    assert.deepEqual(DEFAULT_ALERT_RULES[3]!.filter, { eventName: 'RotationFailed' });
    assert.ok(Object.isFrozen(DEFAULT_ALERT_RULES) && DEFAULT_ALERT_RULES.every(Object.isFrozen));
  });

  it("loads a YAML file, giving rules without a webhook the file's, then the default", () => {
    const path = file(
      'alerts.yaml',
      `
webhook: ${HOOK}
rules:
  - name: prod-writes
    description: Writes under /prod/ by anyone but the deployer
    filter:
      eventSource: [ssm.amazonaws.com, secretsmanager.amazonaws.com]
      readOnly: false
      resourcePrefix: /prod/
    threshold: 10
    windowSeconds: 600
    groupBy: principal
  - name: break-glass
    filter: { principal: "arn:aws:iam::*:role/break-glass*", eventName: GetParameter }
    threshold: 0
    windowSeconds: 60
    webhook: ${OTHER}
`,
    );
    const rules = loadAlertRules(path, 'https://ignored.example.test/');
    assert.deepEqual(rules, [
      {
        name: 'prod-writes',
        description: 'Writes under /prod/ by anyone but the deployer',
        filter: {
          eventSource: ['ssm.amazonaws.com', 'secretsmanager.amazonaws.com'],
          readOnly: false,
          resourcePrefix: '/prod/',
        },
        threshold: 10,
        windowSeconds: 600,
        groupBy: 'principal',
        webhook: HOOK,
      },
      {
        name: 'break-glass',
        filter: { eventName: 'GetParameter', principal: 'arn:aws:iam::*:role/break-glass*' },
        threshold: 0,
        windowSeconds: 60,
        webhook: OTHER,
      },
    ]);
    const withoutFileHook = file(
      'alerts.yml',
      'rules:\n  - name: any\n    filter: {}\n    threshold: 0\n    windowSeconds: 1\n',
    );
    assert.equal(loadAlertRules(withoutFileHook, OTHER)[0]!.webhook, OTHER);
    assert.equal(loadAlertRules(withoutFileHook)[0]!.webhook, undefined);
  });

  it('loads a JSON file, and JSON or YAML from a file without a known extension', () => {
    const rules = {
      rules: [{ name: 'denials-by-key', filter: { denied: true, errorCode: '*' }, threshold: 3, windowSeconds: 60 }],
    };
    assert.deepEqual(loadAlertRules(file('alerts.json', JSON.stringify(rules)))[0], rules.rules[0]);
    assert.deepEqual(loadAlertRules(file('alerts.conf', JSON.stringify(rules)))[0], rules.rules[0]);
    assert.deepEqual(
      loadAlertRules(
        file(
          'alerts',
          'rules:\n- {name: denials-by-key, filter: {denied: true, errorCode: "*"}, threshold: 3, windowSeconds: 60}\n',
        ),
      )[0],
      rules.rules[0],
    );
  });

  it('includes the defaults with defaults: true, a rule of the file replacing the default of its name', () => {
    const path = file(
      'defaults.yaml',
      `
defaults: true
rules:
  - name: read-burst
    filter: { eventName: [GetParameter, GetSecretValue] }
    groupBy: resource
    threshold: 5000
    windowSeconds: 3600
  - name: kms-denied
    filter: { eventSource: kms.amazonaws.com, denied: true }
    threshold: 0
    windowSeconds: 300
`,
    );
    const rules = loadAlertRules(path, HOOK);
    assert.deepEqual(
      rules.map((r) => r.name),
      ['denied-access', 'failed-retrievals', 'rotation-failure', 'read-burst', 'kms-denied'],
    );
    assert.equal(rules.find((r) => r.name === 'read-burst')!.threshold, 5000);
    assert.ok(rules.every((r) => r.webhook === HOOK));
    assert.deepEqual(
      loadAlertRules(file('only.json', '{"defaults": true}')).map((r) => r.name),
      DEFAULT_ALERT_RULES.map((r) => r.name),
    );
  });

  it('refuses bad rules with a message naming the rule and field', () => {
    const good = { name: 'r', filter: {}, threshold: 0, windowSeconds: 60 };
    const refused = (content: unknown, pattern: RegExp) => {
      const path = file('bad.json', typeof content === 'string' ? content : JSON.stringify(content));
      assert.throws(
        () => loadAlertRules(path),
        (error: Error) => {
          assert.ok(error instanceof InvalidAlertRules, error.message);
          assert.ok(error.message.startsWith(path), error.message);
          assert.match(error.message, pattern);
          assert.ok(!error.message.includes('SECRETTOKEN'), 'a webhook URL is never quoted');
          return true;
        },
      );
    };
    refused({ rules: [{ ...good, threshhold: 1 }] }, /rule 1 "r": "threshhold" is not a known field/);
    refused(
      { rules: [good, { ...good, name: 'two', threshold: 1.5 }] },
      /rule 2 "two": threshold must be an integer from 0 to/,
    );
    refused({ rules: [{ ...good, threshold: -1 }] }, /"r": threshold must be an integer/);
    refused({ rules: [{ ...good, threshold: '5' }] }, /"r": threshold must be an integer/);
    refused({ rules: [{ ...good, windowSeconds: 0 }] }, /"r": windowSeconds must be an integer from 1 to 86400/);
    refused({ rules: [{ ...good, windowSeconds: 86_401 }] }, /"r": windowSeconds must be an integer from 1 to 86400/);
    refused(
      { rules: [{ ...good, webhook: 'ftp://hooks.example.test/SECRETTOKEN' }] },
      /"r": webhook must be an http\(s\) URL/,
    );
    refused({ rules: [{ ...good, webhook: 'not a url SECRETTOKEN' }] }, /"r": webhook must be an http\(s\) URL/);
    refused({ webhook: 'mailto:SECRETTOKEN@example.test', rules: [good] }, /: webhook must be an http\(s\) URL/);
    refused({ rules: [{ ...good, groupBy: 'account' }] }, /"r": groupBy must be "resource" or "principal"/);
    refused(
      { rules: [{ ...good, filter: { eventname: 'GetParameter' } }] },
      /"r": filter: "eventname" is not a known field/,
    );
    refused({ rules: [{ ...good, filter: { denied: 'yes' } }] }, /"r": filter: denied must be true or false/);
    refused({ rules: [{ ...good, filter: { eventName: [] } }] }, /"r": filter: eventName must be a string or a list/);
    refused(
      { rules: [{ ...good, filter: { errorCode: ['*', 7] } }] },
      /"r": filter: errorCode: \[1\] must be a non-empty string/,
    );
    refused({ rules: [{ ...good, filter: { principal: '' } }] }, /"r": filter: principal must be a non-empty string/);
    refused({ rules: [{ ...good, filter: undefined }] }, /"r": filter is required/);
    refused({ rules: [{ name: 'r', filter: {}, threshold: 0 }] }, /"r": windowSeconds is required/);
    refused({ rules: [{ ...good, name: 'has space' }] }, /rule 1: name must be 1 to 64 letters/);
    refused({ rules: [{ ...good, name: undefined }] }, /rule 1: name must be/);
    refused({ rules: [good, good] }, /names rule "r" twice/);
    refused({ rules: ['r'] }, /rule 1 must be a mapping/);
    refused({ rules: { r: good } }, /rules must be a list/);
    refused({ rule: [good] }, /"rule" is not a known field/);
    refused({ defaults: 'yes' }, /defaults must be true or false/);
    refused({}, /defines no rules \(add rules, or defaults: true\)/);
    refused([good], /must be a mapping with rules/);
    refused('{"rules": [', /: not valid JSON at its end$/);
    refused(`{\n  "webhook": "${HOOK}",\n  rules: []\n}`, /: not valid JSON at line 3, column 3$/);
  });

  it('reports YAML syntax errors with their line, and unreadable files', () => {
    const path = file('broken.yaml', 'rules:\n  - name: a\n    threshold: 1\n  threshold: 2\n    bad\n');
    assert.throws(
      () => loadAlertRules(path),
      (error: Error) =>
        error instanceof InvalidAlertRules && error.message.startsWith(`${path}: not valid YAML at line `),
    );
    const duplicate = file('dup.yaml', 'rules: []\nrules: []\n');
    assert.throws(() => loadAlertRules(duplicate), /not valid YAML at line 2, column 1: Map keys must be unique/);
    assert.throws(
      () => loadAlertRules(join(dir, 'missing.yaml')),
      /missing.yaml: cannot read the alerts file \(ENOENT\)/,
    );
  });
});
