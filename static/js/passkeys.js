// allauth's passkey scripts announce a failure (no key, a cancelled prompt, a key the site does
// not know) as an `allauth.error` event; the page shows its own translated message for it.
document.addEventListener('allauth.error', function (event) {
  const box = document.getElementById('passkey-error')
  if (box) {
    box.classList.remove('d-none')
    box.focus()
    event.preventDefault()
  }
})
