import { initAll } from '/static/govuk/govuk-frontend.min.js'
import { initUploadProgress } from '/static/upload-progress.js'

initAll()
initUploadProgress()
