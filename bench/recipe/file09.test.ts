import { suiteFile } from "./suite";

suiteFile("file09");
