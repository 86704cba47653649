// Progressive enhancement: a progress bar for file uploads. Without JavaScript the form posts as
// usual; with it, the same request is sent with XMLHttpRequest so upload progress can be shown.
// A redirect (the receipt) is followed; a page sent back (the form with its error summary, or an
// error page) replaces the main content, and its components are started again.
import { initAll } from '/static/govuk/govuk-frontend.min.js'

function withoutHash (url) {
  const parsed = new URL(url, window.location.href)
  parsed.hash = ''
  return parsed.href
}

function showPage (html) {
  const incoming = new DOMParser().parseFromString(html, 'text/html')
  const main = document.getElementById('main-content')
  const newMain = incoming.getElementById('main-content')
  if (!main || !newMain) return false
  // The main content and what sits beside it (the back link) live in one container.
  const container = main.parentElement
  const newContainer = document.importNode(newMain.parentElement, true)
  container.replaceWith(newContainer)
  if (incoming.title) document.title = incoming.title
  initAll({ scope: newContainer }) // the error summary moves focus to itself
  initUploadProgress(newContainer)
  if (!newContainer.querySelector('.govuk-error-summary')) {
    const heading = newContainer.querySelector('h1')
    if (heading) {
      heading.setAttribute('tabindex', '-1')
      heading.focus()
    }
  }
  return true
}

export function initUploadProgress (scope = document) {
  scope.querySelectorAll('form[data-module="app-upload-progress"]').forEach((form) => {
    const box = form.querySelector('.app-upload-progress')
    const bar = form.querySelector('progress')
    const text = form.querySelector('.app-upload-progress__text')
    if (!box || !bar || !text || !window.FormData || !window.DOMParser) return
    form.addEventListener('submit', (event) => {
      const file = form.querySelector('input[type="file"]')
      if (!file || !file.files.length) return // nothing to show progress for
      event.preventDefault()
      const button = event.submitter || form.querySelector('button[type="submit"], button:not([type]), input[type="submit"]')
      const data = new FormData(form)
      if (button && button.name) data.append(button.name, button.value)
      if (button) button.disabled = true
      box.hidden = false
      bar.value = 0
      text.textContent = '0% uploaded'
      const target = withoutHash(form.getAttribute('action') || window.location.href)
      const xhr = new XMLHttpRequest()
      xhr.open('POST', target)
      xhr.upload.addEventListener('progress', (e) => {
        if (!e.lengthComputable) return
        const percent = Math.round((e.loaded / e.total) * 100)
        bar.value = percent
        text.textContent = percent + '% uploaded'
      })
      const failed = () => {
        if (button) button.disabled = false
        text.textContent = 'The upload failed. Check your connection and try again.'
      }
      xhr.addEventListener('load', () => {
        // XMLHttpRequest follows redirects itself: a different final URL means the upload was
        // accepted and the server sent us on (to the receipt, or to sign in).
        if (xhr.status < 400 && xhr.responseURL && withoutHash(xhr.responseURL) !== target) {
          window.location.assign(xhr.responseURL)
          return
        }
        if (!showPage(xhr.responseText)) failed()
      })
      xhr.addEventListener('error', failed)
      xhr.addEventListener('abort', failed)
      xhr.send(data)
    })
  })
}
