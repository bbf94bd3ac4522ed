import { suiteFile } from "./suite";

suiteFile("file10");
