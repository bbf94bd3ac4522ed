import { suiteFile } from "./suite";

suiteFile("file07");
