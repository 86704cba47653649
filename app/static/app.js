import { initAll } from '/static/govuk/govuk-frontend.min.js'
import { initUploadProgress } from '/static/upload-progress.js'

// GOV.UK Frontend marks a radio that reveals more questions with aria-expanded, which ARIA does
// not allow on a radio, so axe fails the page (alphagov/govuk-frontend#979). The radio's checked
// state and its aria-controls, pointing to the questions it reveals, already tell assistive
// technology what happened; the reveal itself is left to GOV.UK Frontend. The state is taken off
// each time GOV.UK Frontend sets it: once it has started, and after its own click and pageshow
// handlers (these run first: they were added first, and on the radios rather than the document).
function withoutExpandedRadios () {
  const strip = () => {
    document.querySelectorAll('.govuk-radios__input[aria-expanded]').forEach(($input) => {
      $input.removeAttribute('aria-expanded')
    })
  }
  strip()
  document.addEventListener('click', strip)
  window.addEventListener('pageshow', strip)
}

// A table's region (app/templates/components/table_region.html) stays in the tab order only while
// the table is wider than it, so a keyboard can scroll it; a table that fits is not one more stop on
// the way through the page. Without JavaScript every region keeps its tabindex.
function focusableWhenScrolling () {
  if (!('ResizeObserver' in window)) return
  const update = ($region) => {
    if ($region.scrollWidth > $region.clientWidth) {
      $region.setAttribute('tabindex', '0')
    } else if ($region !== document.activeElement) {
      $region.removeAttribute('tabindex')
    }
  }
  const observer = new ResizeObserver((entries) => {
    entries.forEach((entry) => update(entry.target.closest('.app-table-region')))
  })
  document.querySelectorAll('.app-table-region').forEach(($region) => {
    observer.observe($region)
    if ($region.firstElementChild) observer.observe($region.firstElementChild)
  })
}

initAll()
withoutExpandedRadios()
focusableWhenScrolling()
initUploadProgress()
