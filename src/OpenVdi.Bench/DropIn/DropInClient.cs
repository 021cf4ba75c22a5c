using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;

namespace OpenVdi.Bench.DropIn;

/// <summary>
/// The drop-in column's consumer process: <c>drop_in_bench_client</c>, a C++ program built into this assembly as
/// source, compiled with g++ on first use against the library named by <see cref="LibraryVariable"/> (the
/// libsqlvdi.so that <c>dotnet publish src/OpenVdi.SqlVdi -c Release -o DIR</c> makes, or DIR itself) and run with
/// LD_LIBRARY_PATH pointing at its directory. It answers in lines: <c>created</c>, then <c>done …</c> or <c>FAIL …</c>.
/// </summary>
internal sealed class DropInClient : IDisposable
{
    /// <summary>The environment variable naming libsqlvdi.so (or its directory): the binding's own, <c>OPENVDI_SQLVDI_LIBRARY</c>.</summary>
    public const string LibraryVariable = VdiLibraryOptions.SqlVdiLibraryVariable;

    private const string Program = "drop_in_bench_client";
    private static readonly Lock s_compileLock = new();
    private static string? s_program;

    private readonly Process _process;
    private readonly BlockingCollection<string?> _lines = [];
    private Thread? _reader;

    private DropInClient(Process process) => _process = process;

    /// <summary>
    /// Finds the library and compiles the client, once per process: a bench checks this before its first round, so
    /// that a missing library fails it at once rather than in the middle of a run.
    /// </summary>
    /// <returns>The compiled client.</returns>
    /// <exception cref="IOException">The library is not there, or the client does not compile.</exception>
    public static string Prepare()
    {
        lock (s_compileLock)
        {
            // A failure is not kept: the next call tries again.
            return s_program ??= Compile();
        }
    }

    /// <summary>Starts the client with <paramref name="arguments"/>.</summary>
    /// <exception cref="IOException">The library is not there, the client does not compile, or does not start.</exception>
    public static DropInClient Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(Prepare()) { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LD_LIBRARY_PATH"] = LibraryDirectory();
        var process = Process.Start(start) ?? throw new IOException($"{Program} did not start.");
        var client = new DropInClient(process);
        var reader = new Thread(() =>
        {
            while (process.StandardOutput.ReadLine() is { } line)
            {
                client._lines.Add(line);
            }

            client._lines.Add(null);
        })
        { IsBackground = true, Name = "drop-in client output" };
        client._reader = reader;
        reader.Start();
        return client;
    }

    /// <summary>Waits for the line starting with <paramref name="verb"/> and returns what follows it.</summary>
    /// <exception cref="IOException">The client failed, exited, or did not answer in time.</exception>
    public string Expect(string verb, TimeSpan timeout)
    {
        if (!_lines.TryTake(out string? line, timeout))
        {
            throw new IOException($"{Program} did not say '{verb}' within {timeout.TotalSeconds:0} s.");
        }

        if (line is null)
        {
            _lines.Add(null);
            _process.WaitForExit();
            throw new IOException($"{Program} exited with code {_process.ExitCode} before saying '{verb}'.");
        }

        if (line.StartsWith("FAIL ", StringComparison.Ordinal))
        {
            throw new IOException($"{Program}: {line[5..]}");
        }

        return line == verb ? string.Empty
            : line.StartsWith(verb + " ", StringComparison.Ordinal) ? line[(verb.Length + 1)..]
            : throw new IOException($"{Program} said '{line}', not '{verb}'.");
    }

    /// <summary>Ends it at once (a run that overstays).</summary>
    public void Kill()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        if (!_process.WaitForExit(10_000))
        {
            Kill();
            _process.WaitForExit();
        }

        // The reader ends at the end of the output, which the exit brings; only then may the lines go.
        _reader?.Join();
        _process.Dispose();
        _lines.Dispose();
    }

    private static string LibraryDirectory()
    {
        string? named = Environment.GetEnvironmentVariable(LibraryVariable);
        string? directory = named is { Length: > 0 } && File.Exists(named) ? Path.GetDirectoryName(Path.GetFullPath(named)) : named;
        return directory is { Length: > 0 } && File.Exists(Path.Combine(directory, "libsqlvdi.so"))
            ? Path.GetFullPath(directory)
            : throw new IOException(
                $"The drop-in column needs libsqlvdi.so: build it with 'dotnet publish src/OpenVdi.SqlVdi -c Release -o DIR' " +
                $"and set {LibraryVariable}=DIR (docs/sqlvdi.md).");
    }

    /// <summary>Writes the embedded sources (the client and the header) to a directory of their own and compiles them.</summary>
    private static string Compile()
    {
        string library = LibraryDirectory();
        var work = Directory.CreateTempSubdirectory("openvdi-drop-in-");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => work.Delete(recursive: true);
        var assembly = Assembly.GetExecutingAssembly();
        foreach (string file in new[] { Program + ".cpp", "vdi.h", "vdierror.h" })
        {
            using var resource = assembly.GetManifestResourceStream("DropIn/" + file) ?? throw new IOException($"{file} is not built into the bench.");
            using var target = File.Create(Path.Combine(work.FullName, file));
            resource.CopyTo(target);
        }

        string program = Path.Combine(work.FullName, Program);
        var start = new ProcessStartInfo("g++") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in new[] { "-std=c++17", "-O3", "-pthread", "-I", work.FullName, Path.Combine(work.FullName, Program + ".cpp"), "-o", program, "-L", library, "-lsqlvdi" })
        {
            start.ArgumentList.Add(argument);
        }

        using var compiler = Process.Start(start) ?? throw new IOException("g++ did not start.");
        var output = compiler.StandardOutput.ReadToEndAsync();
        string errors = compiler.StandardError.ReadToEnd();
        compiler.WaitForExit();
        return compiler.ExitCode == 0 ? program : throw new IOException($"g++ could not compile {Program}: {output.Result}{errors}");
    }
}
