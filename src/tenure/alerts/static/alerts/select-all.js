// "Select all on this page" for the worklists (tasks, key-list proposals).
// A checkbox with data-select-all="NAME" and form="ID" ticks or clears every checkbox named
// NAME that belongs to form ID. Listening on the document keeps it working after htmx swaps
// a list in place. Without JavaScript the boxes are ticked one by one.
document.addEventListener("change", (event) => {
  const all = event.target.closest("input[data-select-all]");
  if (!all) return;
  const form = all.getAttribute("form");
  const boxes = document.querySelectorAll(
    `input[type="checkbox"][name="${all.dataset.selectAll}"][form="${form}"]`,
  );
  boxes.forEach((box) => {
    box.checked = all.checked;
  });
});
