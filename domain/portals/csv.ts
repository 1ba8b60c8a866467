/**
 * A streaming RFC 4180 reader. Portal exports reach tens of thousands of rows
 * in December, so records are produced as the text arrives and the file is
 * never held in memory. Quoted fields may span lines (楽天's 項目・選択肢 does),
 * which is why rows are counted as records, not lines: record n is row n in a
 * spreadsheet, which is what an operator opens to find it.
 */
export interface CsvRecord {
  /** 1-based; the header is row 1. */
  row: number;
  cells: string[];
}

export async function* readCsv(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  let cells: string[] = [];
  let field = '';
  let quoted = false;
  // After a closing quote we are still "in" the quoted field until a separator arrives.
  let afterQuote = false;
  let pendingQuote = false;
  let pendingCR = false;
  let sawAny = false;
  let row = 0;

  const endRecord = function* (): Generator<CsvRecord> {
    cells.push(field);
    field = '';
    afterQuote = false;
    const out = cells;
    cells = [];
    // Blank lines (often at the end of an export) are not rows of data.
    if (out.length === 1 && out[0] === '') return;
    row += 1;
    yield { row, cells: out };
  };

  for await (const chunk of chunks) {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (pendingCR) {
        pendingCR = false;
        if (chunk[i] === '\n') {
          i++;
          continue;
        }
      }
      if (pendingQuote) {
        pendingQuote = false;
        if (chunk[i] === '"') {
          field += '"';
          i++;
          continue;
        }
        quoted = false;
        afterQuote = true;
      }
      if (quoted) {
        const close = chunk.indexOf('"', i);
        if (close === -1) {
          field += chunk.slice(i);
          i = n;
          break;
        }
        field += chunk.slice(i, close);
        i = close + 1;
        if (i < n) {
          if (chunk[i] === '"') {
            field += '"';
            i++;
          } else {
            quoted = false;
            afterQuote = true;
          }
        } else pendingQuote = true;
        continue;
      }
      const c = chunk[i];
      sawAny = true;
      if (c === ',') {
        cells.push(field);
        field = '';
        afterQuote = false;
        i++;
      } else if (c === '\n' || c === '\r') {
        yield* endRecord();
        i++;
        if (c === '\r') {
          if (i < n) {
            if (chunk[i] === '\n') i++;
          } else pendingCR = true;
        }
      } else if (c === '"' && field === '' && !afterQuote) {
        quoted = true;
        i++;
      } else {
        // Fast path: copy up to the next special character in one slice.
        let j = i + 1;
        while (j < n) {
          const d = chunk[j];
          if (d === ',' || d === '\n' || d === '\r') break;
          j++;
        }
        field += chunk.slice(i, j);
        i = j;
      }
    }
  }
  if (pendingQuote) quoted = false;
  if (sawAny && (field !== '' || cells.length > 0 || quoted)) yield* endRecord();
}
