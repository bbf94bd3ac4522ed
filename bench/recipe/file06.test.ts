import { suiteFile } from "./suite";

suiteFile("file06");
