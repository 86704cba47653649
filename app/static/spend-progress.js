// Progressive enhancement: while a spend file imports in the background, ask how far it has got
// every two seconds and move the progress bar; once it has finished (or failed), load the page
// again to show the result. Without JavaScript the page has a link to refresh it.
const box = document.querySelector('[data-module="app-spend-progress"]')
if (box && window.fetch) {
  const bar = box.querySelector('progress')
  const text = box.querySelector('#progress-text')
  const status = box.querySelector('#progress-status')
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.url, { headers: { Accept: 'application/json' } })
      if (!response.ok) throw new Error(String(response.status))
      const progress = await response.json()
      bar.value = progress.percent
      bar.textContent = progress.percent + '%'
      text.textContent = progress.rows_done + ' of ' + progress.rows_total + ' rows read'
      if (progress.status !== 'queued' && progress.status !== 'importing') {
        status.textContent = 'Finished. Loading the result.'
        window.location.reload()
        return
      }
    } catch (error) {
      status.textContent = 'We could not check the progress. Refresh the page to try again.'
      return
    }
    window.setTimeout(poll, 2000)
  }
  window.setTimeout(poll, 2000)
}
