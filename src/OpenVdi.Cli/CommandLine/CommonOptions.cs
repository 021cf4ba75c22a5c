using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using OpenVdi.Cli.Client;
using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Faults;
using OpenVdi.Engine.FrontDoor;

namespace OpenVdi.Cli.CommandLine;

/// <summary>
/// Every option that more than one command takes, each declared once with its parser, its checks and its help, and
/// added to each command that takes it (the dotnet/sdk habit). A value that does not parse is a usage error naming
/// the option, in one line, exit code 2. Options of one command only live with that command.
/// </summary>
internal static class CommonOptions
{
    /// <summary>The tool's default for <c>--timeout</c>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary><c>--json</c>: machine-readable events on standard output (every command).</summary>
    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Write one JSON object per event (message, progress, result) to standard output, the result last; see docs/cli-json.md",
        Recursive = true,
    };

    /// <summary><c>--quiet</c>, <c>-q</c>: errors only (every command).</summary>
    public static readonly Option<bool> Quiet = new("--quiet", "-q")
    {
        Description = "No progress and no information: errors (and result sets) only",
        Recursive = true,
    };

    /// <summary><c>--socket PATH</c>: the engine daemon's socket.</summary>
    public static readonly Option<string?> Socket = new("--socket")
    {
        Description = "The engine daemon's socket (default $XDG_RUNTIME_DIR/openvdi/engine.sock, else /tmp/openvdi-<uid>/engine.sock)",
        HelpName = "PATH",
        CustomParser = ParseSocket,
    };

    /// <summary><c>--faults SPEC</c>: faults for the engine to inject (docs/engine.md).</summary>
    public static readonly Option<FaultPlan?> Faults = new("--faults")
    {
        Description = "Faults for the engine to inject into the devices, e.g. flush-every=1MiB,delay=2ms or stall-after=10MiB (composable; the list is in docs/engine.md)",
        HelpName = "SPEC",
        CustomParser = ParseFaults,
    };

    /// <summary><c>--stats N</c>: STATS, progress messages every N percent.</summary>
    public static readonly Option<int> Stats = new("--stats")
    {
        Description = "STATS: the engine's progress message every N percent, 0 for none",
        HelpName = "N",
        DefaultValueFactory = _ => 10,
        CustomParser = result => Number(result, 0, 100),
    };

    /// <summary><c>--timeout DURATION</c>: how long the engine may take to configure the set, and to send the next command.</summary>
    public static readonly Option<TimeSpan> Timeout = new("--timeout")
    {
        Description = "How long the engine may take to configure the devices, and how long the devices may go without a command while the statement runs, before the set is aborted and the statement fails: 500ms, 5s, 2m, or 'none' (default 2m)",
        HelpName = "DURATION",
        CustomParser = ParseTimeout,
    };

    /// <summary>The <c>--timeout</c> given, or the default.</summary>
    public static TimeSpan TimeoutOf(ParseResult parse) =>
        parse.GetResult(Timeout) is { Implicit: false } ? parse.GetValue(Timeout) : DefaultTimeout;

    /// <summary><c>--devices N</c>: devices (stripes) of a backup.</summary>
    public static readonly Option<int?> Devices = new("--devices")
    {
        Description = "Devices (stripe files), 1 to 64 (default 1; demo: 4)",
        HelpName = "N",
        CustomParser = result => Number(result, 1, VdiLimits.MaxDevices),
    };

    /// <summary><c>--database DB</c>, <c>-d</c>: the database a statement names.</summary>
    public static readonly Option<string> Database = new("--database", "-d")
    {
        Description = "The database",
        HelpName = "DB",
        Required = true,
        CustomParser = result => NonEmpty(result, "a database name"),
    };

    /// <summary><c>--from DIR</c>: a backup directory to read.</summary>
    public static readonly Option<string> From = new("--from")
    {
        Description = "The backup directory (its stripe-NN.bak files)",
        HelpName = "DIR",
        Required = true,
        CustomParser = result => DirectoryPath(result, mustExist: true),
    };

    /// <summary><c>--data DIR</c>: the engine's data directory.</summary>
    public static readonly Option<string?> Data = new("--data")
    {
        Description = "The engine's data directory (default $XDG_DATA_HOME/openvdi/data, else ~/.local/share/openvdi/data)",
        HelpName = "DIR",
        CustomParser = result => DirectoryPath(result, mustExist: false),
    };

    /// <summary><c>--name DB</c>: a database of the engine's data directory.</summary>
    public static readonly Option<string> Name = new("--name")
    {
        Description = "The database name: 1 to 128 ASCII letters, digits, '_', '-' or '.', not starting with '.'",
        HelpName = "DB",
        Required = true,
        CustomParser = DatabaseName,
    };

    /// <summary><c>--buffercount N</c>: BUFFERCOUNT, buffers shared by all devices.</summary>
    public static readonly Option<int?> BufferCount = new("--buffercount")
    {
        Description = "BUFFERCOUNT: buffers shared by all devices, 1 to 4096 (default: the engine's choice, 3 per device + 2)",
        HelpName = "N",
        CustomParser = result => Number(result, 1, 4096),
    };

    /// <summary><c>--checksum</c> of RESTORE and VERIFYONLY: refuse a backup written without checksums.</summary>
    public static readonly Option<bool> RequireChecksum = new("--checksum")
    {
        Description = "WITH CHECKSUM: refuse a backup written without checksums (message 3187); without it, the checksums the backup has are checked",
    };

    /// <summary><c>--server "CONNECTION STRING"</c>: send the statement over TDS (to SQL Server, or the engine's TDS port).</summary>
    public static readonly Option<string?> Server = new("--server")
    {
        Description = "Send the statement over TDS with Microsoft.Data.SqlClient, to SQL Server or to the engine's TDS port, e.g. \"Server=127.0.0.1,14333;User Id=backup;Password=…;TrustServerCertificate=true\" (see docs/tds.md); excludes --socket and --faults",
        HelpName = "CONNECTION-STRING",
        CustomParser = ParseServer,
    };

    /// <summary><c>--vdi-library openvdi|microsoft</c>: whose VDI library makes the virtual device set.</summary>
    public static readonly Option<VdiLibrary> VdiLibrary = new("--vdi-library")
    {
        Description = "Whose VDI library makes the virtual devices: openvdi (default; OpenVdi's engine) or microsoft (libsqlvdi.so, which a real SQL Server needs: " +
            "--sqlvdi-library, else $OPENVDI_SQLVDI_LIBRARY, else the dynamic loader's search, else /opt/mssql/lib/libsqlvdi.so)",
        HelpName = "openvdi|microsoft",
        DefaultValueFactory = _ => OpenVdi.VdiLibrary.OpenVdi,
        CustomParser = ParseVdiLibrary,
    };

    /// <summary><c>--sqlvdi-library PATH</c>: the libsqlvdi.so of <c>--vdi-library microsoft</c>.</summary>
    public static readonly Option<string?> SqlVdiLibrary = new("--sqlvdi-library")
    {
        Description = "With --vdi-library microsoft: the libsqlvdi.so to load (a file, or the directory holding it); the only one tried",
        HelpName = "PATH",
    };

    /// <summary>Adds the options of the client commands' virtual device sets: <c>--vdi-library</c> and <c>--sqlvdi-library</c>.</summary>
    public static void AddVdiLibrary(Command command)
    {
        command.Options.Add(VdiLibrary);
        command.Options.Add(SqlVdiLibrary);
        command.Validators.Add(result =>
        {
            if (result.GetResult(SqlVdiLibrary) is not null && result.GetValue(VdiLibrary) != OpenVdi.VdiLibrary.Microsoft)
            {
                result.AddError("--sqlvdi-library needs --vdi-library microsoft");
            }
        });
    }

    /// <summary>The library options of <see cref="AddVdiLibrary"/>.</summary>
    public static VdiLibraryOptions LibraryOptionsOf(ParseResult parse) => new() { SqlVdiLibraryPath = parse.GetValue(SqlVdiLibrary) };

    /// <summary>
    /// Adds the options that say which engine runs the statements: the daemon's socket, or a server's connection string
    /// (one or the other; faults travel only on the daemon's socket).
    /// </summary>
    public static void AddEngine(Command command)
    {
        command.Options.Add(Socket);
        command.Options.Add(Server);
        command.Validators.Add(result =>
        {
            if (result.GetResult(Server) is not { } server)
            {
                return;
            }

            if (result.GetResult(Socket) is not null)
            {
                result.AddError("--server and --socket exclude each other: the statement goes either to SQL Server over TDS or to the engine daemon");
            }
            else if (result.GetResult(Faults) is not null)
            {
                result.AddError("--faults needs the engine daemon (it travels with the statement on its socket); SQL Server over --server injects none");
            }
        });
    }

    /// <summary>The engine that runs the statements, as the options of <see cref="AddEngine"/> name it.</summary>
    public static IStatementEngine StatementEngine(ParseResult parse) =>
        parse.GetValue(Server) is { } server ? new SqlServer.SqlServerStatementEngine(server) : Daemon(parse);

    /// <summary>The engine daemon the options of <see cref="AddEngine"/> name, for its own requests (status, list, drop).</summary>
    public static EngineClient Daemon(ParseResult parse) => new(parse.GetValue(Socket));

    private static VdiLibrary ParseVdiLibrary(ArgumentResult result)
    {
        string text = Single(result);
        if (text.Equals("openvdi", StringComparison.OrdinalIgnoreCase))
        {
            return OpenVdi.VdiLibrary.OpenVdi;
        }

        if (text.Equals("microsoft", StringComparison.OrdinalIgnoreCase))
        {
            return OpenVdi.VdiLibrary.Microsoft;
        }

        result.AddError($"{OptionName(result)} takes openvdi or microsoft, not '{text}'");
        return OpenVdi.VdiLibrary.OpenVdi;
    }

    /// <summary>Parses a size option's value within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static long Size(ArgumentResult result, long min, long max)
    {
        string text = Single(result);
        string? problem = ByteSize.TryParse(text, min, max, out long bytes);
        if (problem is not null)
        {
            result.AddError($"{OptionName(result)} {problem}");
        }

        return bytes;
    }

    /// <summary>One of <paramref name="choices"/> (any case), with Tab completion offering them.</summary>
    public static Option<string> Choice(Option<string> option, params string[] choices)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.CustomParser = result =>
        {
            string text = Single(result);
            string? match = choices.FirstOrDefault(c => c.Equals(text, StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                result.AddError($"{OptionName(result)} takes {string.Join(", ", choices[..^1])} or {choices[^1]}, not '{text}'");
            }

            return match ?? text;
        };
        option.CompletionSources.Add(choices);
        return option;
    }

    /// <summary>Parses a whole-number option's value within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static int Number(ArgumentResult result, int min, int max)
    {
        string text = Single(result);
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
        {
            return value;
        }

        result.AddError(string.Create(CultureInfo.InvariantCulture, $"{OptionName(result)} takes a whole number from {min} to {max}, not '{text}'"));
        return min;
    }

    /// <summary>A directory's full path: not empty, and not a file; with <paramref name="mustExist"/>, existing.</summary>
    public static string DirectoryPath(ArgumentResult result, bool mustExist)
    {
        string text = Single(result);
        string option = OptionName(result);
        if (string.IsNullOrWhiteSpace(text))
        {
            result.AddError($"{option} needs a directory, not an empty path");
            return text;
        }

        string full;
        try
        {
            full = Path.GetFullPath(text);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            result.AddError($"{option} '{text}' is not a path: {e.Message}");
            return text;
        }

        if (File.Exists(full))
        {
            result.AddError($"{option} '{text}' is a file; it needs a directory");
        }
        else if (mustExist && !Directory.Exists(full))
        {
            result.AddError($"{option} '{text}' does not exist");
        }

        return full;
    }

    /// <summary>A database name as the engine's catalogue takes it.</summary>
    public static string DatabaseName(ArgumentResult result)
    {
        string text = Single(result);
        if (!DatabaseCatalogue.IsValidName(text))
        {
            result.AddError(string.Create(CultureInfo.InvariantCulture,
                $"{OptionName(result)} '{text}' is not a valid database name: 1 to {DatabaseCatalogue.MaxNameLength} ASCII letters, digits, '_', '-' or '.', not starting with '.'"));
        }

        return text;
    }

    /// <summary>The option's name as the user wrote it (<c>--to</c>), for messages.</summary>
    public static string OptionName(ArgumentResult result) =>
        (result.Parent as OptionResult)?.IdentifierToken?.Value ?? result.Argument.Name;

    private static string Single(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;

    private static string NonEmpty(ArgumentResult result, string what)
    {
        string text = Single(result);
        if (string.IsNullOrWhiteSpace(text))
        {
            result.AddError($"{OptionName(result)} needs {what}, not an empty string");
        }

        return text;
    }

    private static string? ParseSocket(ArgumentResult result)
    {
        string text = Single(result);
        if (string.IsNullOrWhiteSpace(text))
        {
            result.AddError("--socket needs a path, not an empty string");
            return null;
        }

        try
        {
            return EngineSocketPath.Resolve(text);
        }
        catch (ArgumentException e)
        {
            result.AddError($"--socket: {e.Message}");
            return null;
        }
    }

    private static FaultPlan? ParseFaults(ArgumentResult result)
    {
        string text = Single(result);
        try
        {
            var plan = FaultPlan.Parse(text);
            if (plan.IsEmpty)
            {
                result.AddError($"--faults '{text}' names no fault (e.g. --faults flush-every=1MiB,delay=2ms)");
            }

            return plan;
        }
        catch (FormatException e)
        {
            result.AddError($"--faults '{text}': {e.Message}");
            return null;
        }
    }

    private static TimeSpan ParseTimeout(ArgumentResult result)
    {
        string text = Single(result);
        if (text.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return System.Threading.Timeout.InfiniteTimeSpan;
        }

        string? problem = Duration.TryParse(text, TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1), out var timeout);
        if (problem is not null)
        {
            result.AddError($"--timeout {problem}");
        }

        return timeout;
    }

    private static string? ParseServer(ArgumentResult result)
    {
        string text = Single(result);
        try
        {
            _ = new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(text);
            return text;
        }
        catch (ArgumentException e)
        {
            result.AddError($"--server: {e.Message}");
            return null;
        }
    }
}
