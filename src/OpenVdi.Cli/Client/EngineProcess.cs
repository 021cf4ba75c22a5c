using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace OpenVdi.Cli.Client;

/// <summary>
/// <c>vdi engine serve</c> as a child process of this very executable: started on a given socket and data directory,
/// ready once it says so the way it tells systemd (<c>READY=1</c> on the <c>NOTIFY_SOCKET</c> given to it), stopped
/// with SIGTERM (as a service manager would) and killed only if it does not stop in time. Its output is kept, to show
/// when something goes wrong.
/// </summary>
internal sealed class EngineProcess : IDisposable
{
    private const string TdsListening = "tds: listening on ";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private EngineProcess(Process process) => _process = process;

    public int ProcessId => _process.Id;

    /// <summary>Everything the daemon printed so far.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>The address and port of its TDS front door (<c>--tds</c>), as it logged them; null without one.</summary>
    public string? TdsEndpoint => _output
        .Select(line => line.IndexOf(TdsListening, StringComparison.Ordinal) is var at and >= 0 ? line[(at + TdsListening.Length)..].Split(' ')[0] : null)
        .FirstOrDefault(endpoint => endpoint is not null);

    /// <summary>Starts the daemon and waits until it listens.</summary>
    /// <param name="dataDirectory">Its <c>--data</c>.</param>
    /// <param name="socketPath">Its <c>--socket</c>.</param>
    /// <param name="timeout">How long it may take to listen.</param>
    /// <param name="cancellationToken">Stops waiting (and the daemon).</param>
    /// <param name="options">More options of <c>vdi engine serve</c> (e.g. <c>--faults SPEC</c>).</param>
    /// <param name="environment">Variables to set for it (e.g. the TDS logins' password, which never goes on a command line).</param>
    /// <exception cref="IOException">It exited, or did not listen within <paramref name="timeout"/>; the message holds its output.</exception>
    public static async Task<EngineProcess> StartAsync(string dataDirectory, string socketPath, TimeSpan timeout, CancellationToken cancellationToken, IReadOnlyList<string>? options = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = ThisExecutable.Start(["engine", "serve", "--data", dataDirectory, "--socket", socketPath, .. options ?? []]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        // The readiness socket sits beside the engine's own, in a directory the caller chose.
        string notifyPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(socketPath))!, $".notify-{Guid.NewGuid():N}");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        Directory.CreateDirectory(Path.GetDirectoryName(notifyPath)!);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));
        start.Environment[SystemdNotify.Variable] = notifyPath;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var engine = new EngineProcess(process);
        process.OutputDataReceived += (_, e) => engine.Take(e.Data);
        process.ErrorDataReceived += (_, e) => engine.Take(e.Data);
        process.Exited += (_, _) => engine._exited.TrySetResult();
        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var ready = WaitForReadyAsync(notify, stopWaiting.Token);
            var first = await Task.WhenAny(ready, engine._exited.Task).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            await stopWaiting.CancelAsync().ConfigureAwait(false);
            if (first != ready)
            {
                throw new IOException("exited");
            }

            await ready.ConfigureAwait(false);
            return engine;
        }
        catch (Exception e) when (e is IOException or TimeoutException or OperationCanceledException)
        {
            await engine.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            string why = e switch
            {
                TimeoutException => string.Create(CultureInfo.InvariantCulture, $"did not listen within {timeout.TotalSeconds:0} s"),
                OperationCanceledException => "was cancelled",
                _ => string.Create(CultureInfo.InvariantCulture, $"exited with code {process.ExitCode}"),
            };
            engine.Dispose();
            throw new IOException($"The engine daemon {why}. Its output:\n{engine.Output}");
        }
        finally
        {
            File.Delete(notifyPath);
        }
    }

    /// <summary>Ends once a datagram with <c>READY=1</c> arrives (sd_notify(3)).</summary>
    private static async Task WaitForReadyAsync(Socket notify, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (true)
        {
            int received = await notify.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (Encoding.UTF8.GetString(buffer, 0, received).Split('\n').Contains("READY=1"))
            {
                return;
            }
        }
    }

    /// <summary>Stops the daemon with SIGTERM, killing it if it has not exited within <paramref name="grace"/>.</summary>
    /// <returns>Its exit code, or null when it had to be killed.</returns>
    public async Task<int?> StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            UnixCalls.Signal(_process.Id, UnixCalls.SigTerm);
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(grace).ConfigureAwait(false);
            return _process.ExitCode;
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>SIGKILL: the daemon gets no chance to clean up (for tests of what a killed daemon leaves).</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public void Dispose() => _process.Dispose();

    private void Take(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
    }
}
