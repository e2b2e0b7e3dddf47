/**
 * `npm run lint`'s second half: no source line past 120 characters (the formatter wraps code;
 * strings, comments and regular expressions it leaves as they are). Generated model tables and
 * the public parameters' data are data, and exempt.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const LIMIT = 120;
const ROOTS = ['src', 'test', 'bench', 'scripts', 'bin'];
const GENERATED = [
  /src\/api\/models\/(ssm|secretsmanager|iam|sts|kms|cloudtrail|aws-regions)\.ts$/,
  /src\/engine\/ssm\/public-parameter-data\.ts$/,
];

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(ts|js)$/.test(name) && !GENERATED.some((generated) => generated.test(path))) yield path;
  }
}

const long: string[] = [];
for (const root of ROOTS) {
  for (const file of files(root)) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.length > LIMIT) long.push(`${file}:${i + 1}: ${line.length} characters`);
      });
  }
}
if (long.length > 0) {
  process.stderr.write(`${long.length} line(s) longer than ${LIMIT} characters:\n${long.join('\n')}\n`);
  process.exit(1);
}
