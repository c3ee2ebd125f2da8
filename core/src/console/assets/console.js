// The console's few behaviours that need a script (the pages work without it). Loaded from the hub
// under a CSP without inline scripts: behaviour is bound here through data- attributes.

// Copy buttons: <button data-copy="#id"> copies the text of the element #id.
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
  if (!button) return;
  const source = document.querySelector(button.getAttribute('data-copy'));
  if (!source) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(
    () => {
      button.textContent = 'Copied';
      setTimeout(() => (button.textContent = 'Copy'), 2000);
    },
    () => {
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    },
  );
});

// Forms that delete or re-send things ask first: <form data-confirm="Delete this connection?">.
document.addEventListener('submit', (event) => {
  const form = event.target instanceof HTMLFormElement ? event.target : null;
  const question = form?.getAttribute('data-confirm');
  if (question && !window.confirm(question)) event.preventDefault();
});
