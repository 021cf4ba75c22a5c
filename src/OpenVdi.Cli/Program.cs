using OpenVdi.Cli.CommandLine;

// vdi: OpenVdi's command-line tool. `vdi --help` lists the commands; each command lives in Commands/.
return VdiCommandLine.RunOnConsole(args);
