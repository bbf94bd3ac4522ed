import { suiteFile } from "./suite";

suiteFile("file03");
