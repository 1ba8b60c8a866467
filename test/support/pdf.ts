// pdf-parse's index file runs a self-test when required directly; the library file does not.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const pdfParse: (data: Buffer, options?: Record<string, unknown>) => Promise<{ text: string; numpages: number }> = require('pdf-parse/lib/pdf-parse.js');

/** The text of each page, for assertions on what a printed document says. */
export async function pdfPageTexts(pdf: Uint8Array): Promise<string[]> {
  const pages: string[] = [];
  await pdfParse(Buffer.from(pdf), {
    pagerender: async (page: { getTextContent: () => Promise<{ items: { str: string }[] }> }) => {
      const content = await page.getTextContent();
      const text = content.items.map((i) => i.str).join('');
      pages.push(text);
      return text;
    },
  });
  return pages;
}
