// Validation off the page's thread: the page never freezes, even on a 10 MiB spreadsheet.
// Text-message spreadsheets need libphonenumber's rules, a separate, larger package loaded
// only when one is checked.
const packages = {};
function load(withPhones) {
  const name = withPhones ? "phone" : "core";
  packages[name] ??= (withPhones ? import("./pkg/phone/uploadkit_wasm.js") : import("./pkg/uploadkit_wasm.js"))
    .then(async (pkg) => { await pkg.default(); return pkg; });
  return packages[name];
}

self.onmessage = async ({ data }) => {
  const { id, file, kind, templateType, placeholders, smsTemplate } = data;
  try {
    const logo = kind === "email-logo" || kind === "letter-logo";
    const pkg = await load(!logo && templateType === "sms");
    const started = performance.now();
    const report = logo
      ? await pkg.validateLogoFile(file, kind)
      : await pkg.validateCsvFile(file, templateType, placeholders, undefined, templateType === "sms" ? smsTemplate : undefined);
    self.postMessage({ id, report, ms: performance.now() - started });
  } catch (error) {
    self.postMessage({ id, error: String(error && error.message || error) });
  }
};
