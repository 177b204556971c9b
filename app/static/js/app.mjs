// Starts GOV.UK Frontend's components (error summary focus, character/word count, and so on).
import { initAll } from "./govuk-frontend.min.js";

initAll();
