// Validation off the page's thread: the page never freezes, even on a 10 MiB spreadsheet.
// Text-message spreadsheets need libphonenumber's rules, and workbooks (.xlsx, .xlsm, .xls, .ods,
// .tsv) the spreadsheet reader: separate, larger packages loaded only when they are needed.
const packages = {};
function load(name) {
  const url = { core: "./pkg/uploadkit_wasm.js", phone: "./pkg/phone/uploadkit_wasm.js", sheets: "./pkg/sheets/uploadkit_sheets_wasm.js" }[name];
  packages[name] ??= import(url).then(async (pkg) => { await pkg.default(); return pkg; });
  return packages[name];
}

// The formats the app turns into CSV text before checking it (it dispatches on the extension).
const WORKBOOK = /\.(tsv|xlsx|xlsm|xls|ods)$/i;
// The app refuses a file over 10 MB before reading it, whatever its format.
const MAX_BYTES = 10 * 1024 * 1024;

self.onmessage = async ({ data }) => {
  const { id, file, kind, options } = data;
  try {
    const started = performance.now();
    if (kind === "email-logo" || kind === "letter-logo") {
      const pkg = await load("core");
      self.postMessage({ id, report: await pkg.validateLogoFile(file, kind), ms: performance.now() - started });
      return;
    }
    const pkg = await load(options.templateType === "sms" ? "phone" : "core");
    let converted;
    if (WORKBOOK.test(file.name) && file.size <= MAX_BYTES) {
      const sheets = await load("sheets");
      try {
        converted = sheets.spreadsheetToCsv(new Uint8Array(await file.arrayBuffer()), file.name);
      } catch (error) {
        if (error.name !== "ValidationError") throw error;
        self.postMessage({ id, unreadable: { code: error.code, message: error.message } });
        return;
      }
    }
    let report;
    if (converted === undefined) {
      report = await pkg.validateCsvFile(file, options);
    } else {
      // The size limit is the upload's (checked above), not the converted text's, which is
      // often larger than the workbook it came from.
      const check = new pkg.CsvCheck({ ...options, fromWorkbook: true });
      check.feed(new TextEncoder().encode(converted));
      report = check.finish();
    }
    self.postMessage({ id, report, converted, ms: performance.now() - started });
  } catch (error) {
    self.postMessage({ id, error: String(error && error.message || error) });
  }
};
