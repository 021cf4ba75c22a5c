using System.Diagnostics;
using System.Threading.Channels;

namespace OpenVdi.SqlVdi.Tests.Infrastructure;

/// <summary>
/// A native test client running as its own process. Its lines are read as they come: a test waits for the one that
/// says the client reached a point, and fails with everything it printed when the line does not come in time.
/// Disposing kills it if it still runs.
/// </summary>
internal sealed class NativeClient : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _printed = [];

    private NativeClient(Process process) => _process = process;

    /// <summary>Everything it printed so far, standard output and error.</summary>
    public string Output
    {
        get
        {
            lock (_printed)
            {
                return string.Join('\n', _printed);
            }
        }
    }

    /// <summary>Its standard output lines so far.</summary>
    public IReadOnlyList<string> Lines { get; private set; } = [];

    public static NativeClient Start(NativeBuild build, string client, params string[] arguments)
    {
        var start = build.StartInfo(client, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = new Process { StartInfo = start };
        var native = new NativeClient(process);
        var lines = new List<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                native._lines.Writer.TryComplete();
                return;
            }

            native.Keep(e.Data);
            lock (lines)
            {
                lines.Add(e.Data);
                native.Lines = [.. lines];
            }

            native._lines.Writer.TryWrite(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                native.Keep("stderr: " + e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return native;
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>, and returns it.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            while (await _lines.Reader.WaitToReadAsync(timeout.Token))
            {
                while (_lines.Reader.TryRead(out string? line))
                {
                    if (line.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        return line;
                    }
                }
            }

            Assert.Fail($"The client exited before saying '{prefix}'. It printed:\n{Output}");
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The client did not say '{prefix}' within {limit.TotalSeconds:0} s. It printed:\n{Output}");
        }

        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Waits for the client to exit and returns its exit code; kills it and fails after <paramref name="limit"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            _process.Kill();
            Assert.Fail($"The client did not exit within {limit.TotalSeconds:0} s. It printed:\n{Output}");
        }

        // The parameterless wait drains the output readers.
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Keep(string line)
    {
        lock (_printed)
        {
            _printed.Add(line);
        }
    }
}
