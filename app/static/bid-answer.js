// A bid question's page: a live word count and saving as the supplier types.
//
// The count uses GOV.UK Frontend's character count (its messages, its live region for screen
// readers, its error styling), counting words by the service's rule (word-count.js, the same as
// lots.bids.services.count_words). The server counts again when the bid is submitted, and its
// count is the one that matters.
//
// Autosave: every 20 seconds, if the answer has changed, the form is posted (with its CSRF token)
// to the page's autosave address. Without JavaScript, "Save and continue" saves as usual.
import { CharacterCount, createAll } from '/static/govuk/govuk-frontend.min.js'
import { countWords } from '/static/word-count.js'

export { countWords }

export class WordCount extends CharacterCount {
  updateCount () {
    if (this.config.maxwords) {
      this.count = countWords(this.$textarea.value)
      return
    }
    super.updateCount()
  }
}
WordCount.moduleName = 'app-word-count'

const AUTOSAVE_EVERY_MS = 20000

export function initAutosave (scope = document) {
  scope.querySelectorAll('form[data-autosave-url]').forEach((form) => {
    const textarea = form.querySelector('textarea')
    const status = form.querySelector('.app-autosave__status')
    if (!textarea || !status || !window.fetch || !window.FormData) return
    let saved = textarea.value
    let busy = false
    const save = async () => {
      if (busy || textarea.value === saved) return
      busy = true
      const sending = textarea.value
      try {
        const response = await window.fetch(form.dataset.autosaveUrl, {
          method: 'POST',
          body: new FormData(form),
          credentials: 'same-origin',
          headers: { Accept: 'application/json' }
        })
        const result = await response.json()
        if (response.ok && result.saved) {
          saved = sending
          status.textContent = `Your answer was saved automatically at ${result.at}.`
        } else {
          const message = result.error ? result.error.message : result.message
          status.textContent = `Your answer was not saved automatically: ${message}. Select ‘Save and continue’ to keep it.`
        }
      } catch (error) {
        status.textContent = 'Your answer was not saved automatically. Check your connection, then select ‘Save and continue’ to keep it.'
      } finally {
        busy = false
      }
    }
    window.setInterval(save, AUTOSAVE_EVERY_MS)
    form.addEventListener('submit', () => { saved = textarea.value })
  })
}

createAll(WordCount)
initAutosave()
