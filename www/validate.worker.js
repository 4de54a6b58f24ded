// Validation off the page's thread: the page never freezes, even on a 10 MiB spreadsheet.
import init, { validateCsvFile, validateLogoFile } from "./pkg/uploadkit_wasm.js";

const ready = init();

self.onmessage = async ({ data }) => {
  const { id, file, kind, templateType, placeholders } = data;
  try {
    await ready;
    const started = performance.now();
    const report = kind === "email-logo" || kind === "letter-logo"
      ? await validateLogoFile(file, kind)
      : await validateCsvFile(file, templateType, placeholders);
    self.postMessage({ id, report, ms: performance.now() - started });
  } catch (error) {
    self.postMessage({ id, error: String(error && error.message || error) });
  }
};
