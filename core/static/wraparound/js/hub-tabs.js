// The profile hub loads each tab other than the Summary from its own URL the first time
// it is shown (a static file, not an inline script: strict CSP). A lazy panel carries
// data-hub-tab-src; Wagtail's tabs controller (w-tabs) announces the panel it shows with
// a "w-tabs:selected" event. Without JavaScript the panel's "?tab=" link renders it.
(() => {
    const load = (panel) => {
        if (!panel || !panel.dataset.hubTabSrc || panel.dataset.hubTabState) return;
        panel.dataset.hubTabState = "loading";
        panel.setAttribute("aria-busy", "true");
        fetch(panel.dataset.hubTabSrc, { headers: { "X-Requested-With": "XMLHttpRequest" }, credentials: "same-origin" })
            .then((response) => {
                if (!response.ok) throw new Error(`HTTP ${response.status}`);
                return response.text();
            })
            .then((html) => {
                panel.innerHTML = html;
                panel.dataset.hubTabState = "loaded";
            })
            .catch(() => {
                delete panel.dataset.hubTabState; // the placeholder's link still works
            })
            .finally(() => panel.removeAttribute("aria-busy"));
    };
    document.addEventListener("w-tabs:selected", (event) => {
        load(document.getElementById(event.detail?.current || ""));
    });
    // A panel already shown before this listener saw its selection (e.g. a #tab-… link).
    window.addEventListener("load", () => {
        document.querySelectorAll("[data-hub-tab-src]:not([hidden])").forEach(load);
    });
})();
