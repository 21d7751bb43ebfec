/** Shared argument and prompt handling for `npm run admin:create` and `npm run admin:password`. */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

export interface AdminArgs {
  email?: string;
  password?: string;
}

export function readAdminArgs(usage: string): AdminArgs {
  const { values } = parseArgs({
    options: {
      email: { type: "string" },
      password: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  return { email: values.email, password: values.password };
}

/** Reads a line from the terminal without echoing it. */
export async function promptHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new Error("no password given and stdin is not a terminal: pass --password or set ADMIN_PASSWORD");
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const rlWithOutput = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
  let muted = false;
  rlWithOutput._writeToOutput = (s: string) => {
    if (!muted) rlWithOutput.output.write(s);
    else if (s.includes("\n") || s.includes("\r")) rlWithOutput.output.write("\n");
  };
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer);
    });
    muted = true;
  });
}

export async function promptPasswordTwice(): Promise<string> {
  const first = await promptHidden("New password: ");
  const second = await promptHidden("Repeat it: ");
  if (first !== second) throw new Error("the two passwords differ");
  return first;
}
