/**
 * CSV reading as RFC 4180 defines it: a header row, then records of comma-separated fields;
 * a field in double quotes may hold commas, line breaks and doubled quotes (`""` for `"`).
 * Lines end in CRLF or LF; a final line break is optional, blank lines are skipped, and a
 * leading byte order mark is dropped. Errors name lines and rows, never a field's text.
 */

/** A parsed file: the header's column names, and each record's fields in header order. */
export interface CsvTable {
  readonly header: readonly string[];
  /** Data records (the header excluded), each with the line it starts on. */
  readonly rows: readonly { readonly line: number; readonly fields: readonly string[] }[];
}

/** Splits `text` into records of fields (no header handling), each with the line it starts on. */
export function parseCsvRecords(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    // A blank line is one empty unquoted field: skipped rather than read as a record.
    if (!(fields.length === 1 && fields[0] === '' && !quoted)) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    quoted = false;
  };
  while (i < source.length) {
    const c = source[i]!;
    if (c === '"') {
      if (field !== '' || quoted) throw new Error(`CSV line ${line}: a quote inside a field that is not quoted`);
      quoted = true;
      const opened = line;
      i++;
      for (;;) {
        if (i >= source.length) throw new Error(`CSV line ${opened}: a quoted field is never closed`);
        const q = source[i]!;
        if (q === '"') {
          if (source[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === '\n') line++;
        field += q;
        i++;
      }
      const next = source[i];
      if (next !== undefined && next !== ',' && next !== '\n' && !(next === '\r' && source[i + 1] === '\n'))
        throw new Error(`CSV line ${line}: text after a closing quote (a quote inside a field must be doubled)`);
      continue;
    }
    if (c === ',') {
      if (quoted) quoted = false;
      fields.push(field);
      field = '';
      i++;
      continue;
    }
    if (c === '\n' || (c === '\r' && source[i + 1] === '\n')) {
      endRecord();
      i += c === '\r' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    if (quoted) throw new Error(`CSV line ${line}: text after a closing quote`);
    field += c;
    i++;
  }
  if (field !== '' || quoted || fields.length > 0) endRecord();
  return records;
}

/** Parses a CSV file with a header row; every record must have as many fields as the header. */
export function parseCsv(text: string): CsvTable {
  const [head, ...records] = parseCsvRecords(text);
  if (!head) throw new Error('the CSV file is empty: it needs a header row naming the columns');
  const seen = new Set<string>();
  head.fields.forEach((name, index) => {
    if (name === '') throw new Error(`CSV header: column ${index + 1} has no name`);
    if (seen.has(name)) throw new Error(`CSV header: the column ${name} appears twice`);
    seen.add(name);
  });
  records.forEach((record, index) => {
    if (record.fields.length !== head.fields.length)
      throw new Error(
        `CSV row ${index + 1} (line ${record.line}) has ${record.fields.length} fields; ` +
          `the header has ${head.fields.length}`,
      );
  });
  return { header: head.fields, rows: records };
}
