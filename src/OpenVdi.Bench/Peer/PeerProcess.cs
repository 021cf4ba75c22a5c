using System.Collections.Concurrent;
using System.Diagnostics;
using OpenVdi.Bench.Throughput;

namespace OpenVdi.Bench.Peer;

/// <summary>
/// The bench's side of its peer process: starts it, sends it requests, reads its answers with a deadline, and kills
/// it when a run overstays, which ends whatever the bench was waiting on (a dead peer closes its pipes and sockets
/// and aborts its sets).
/// </summary>
internal sealed class PeerProcess : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string?> _lines = [];
    private readonly ConcurrentQueue<string> _errors = new();
    private volatile Request? _current;
    private Thread? _reader;

    private PeerProcess(Process process) => _process = process;

    /// <summary>Starts the peer from <paramref name="start"/> and waits for its <c>ready</c>.</summary>
    /// <exception cref="IOException">It did not start or get ready within <paramref name="timeout"/>.</exception>
    public static PeerProcess Start(ProcessStartInfo start, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.UseShellExecute = false;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start) ?? throw new IOException("The bench's peer process did not start.");
        var peer = new PeerProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                peer._errors.Enqueue(e.Data);
            }
        };
        process.BeginErrorReadLine();
        peer._reader = new Thread(() =>
        {
            try
            {
                // Null marks the end: the peer exited or closed its output.
                while (process.StandardOutput.ReadLine() is { } line)
                {
                    peer._lines.Add(line);
                    if (line.StartsWith(PeerRequests.Error + " ", StringComparison.Ordinal))
                    {
                        peer._current?.Cancel();
                    }
                }

                peer._lines.Add(null);
                peer._current?.Cancel();
            }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or IOException)
            {
                // Disposed while the peer still talked (Dispose gave up waiting for this thread): nobody listens.
            }
        })
        { IsBackground = true, Name = "bench peer output" };
        peer._reader.Start();
        try
        {
            peer.Expect(PeerRequests.Ready, timeout);
            return peer;
        }
        catch
        {
            peer.Dispose();
            throw;
        }
    }

    /// <summary>The peer's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>A request that starts when the consumer's end is ready.</summary>
    public Request Prepare(string line, TimeSpan timeout)
    {
        _current?.Dispose();
        var request = new Request(this, line, timeout);
        _current = request;
        return request;
    }

    /// <summary>Ends the peer at once (the watchdog's remedy).</summary>
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

    private string Expect(string verb, TimeSpan timeout)
    {
        while (true)
        {
            if (!_lines.TryTake(out string? line, timeout))
            {
                throw new IOException($"The bench's peer (pid {_process.Id}) did not answer '{verb}' within {timeout.TotalSeconds:0} s.");
            }

            if (line is null)
            {
                _lines.Add(null);
                // The parameterless wait also drains standard error, so the peer's last words are in _errors.
                if (_process.WaitForExit(5000))
                {
                    _process.WaitForExit();
                }

                string errors = string.Join(" | ", _errors);
                throw new IOException($"The bench's peer exited{(_process.HasExited ? $" with code {_process.ExitCode}" : string.Empty)}{(errors.Length > 0 ? ": " + errors : ".")}");
            }

            if (line.StartsWith(PeerRequests.Error + " ", StringComparison.Ordinal))
            {
                throw new IOException($"The bench's peer failed: {line[(PeerRequests.Error.Length + 1)..]}");
            }

            if (line == verb || line.StartsWith(verb + " ", StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.WriteLine(PeerRequests.Quit);
                _process.StandardInput.Flush();
                if (!_process.WaitForExit(5000))
                {
                    Kill();
                }
            }
        }
        catch (IOException)
        {
            Kill();
        }

        _current?.Dispose();

        // The reader still adds the peer's last lines and the end mark: only once it is done may they go.
        if (_reader?.Join(TimeSpan.FromSeconds(5)) != false)
        {
            _process.Dispose();
            _lines.Dispose();
        }
    }

    /// <summary>One request: sent at <see cref="Start"/>, answered by <c>connected</c> and then <c>done</c>.</summary>
    internal sealed class Request : IProducerLink, IDisposable
    {
        private readonly CancellationTokenSource _failed = new();
        private readonly PeerProcess _peer;
        private readonly string _line;
        private readonly TimeSpan _timeout;
        private bool _connected;

        public Request(PeerProcess peer, string line, TimeSpan timeout)
        {
            _peer = peer;
            _line = line;
            _timeout = timeout;
        }

        /// <summary>Cancelled when the peer reports a failure or exits: the consumer stops waiting for it.</summary>
        public CancellationToken Failed => _failed.Token;

        public void Start()
        {
            _peer._process.StandardInput.WriteLine(_line);
            _peer._process.StandardInput.Flush();
        }

        public void WaitConnected()
        {
            _peer.Expect(PeerRequests.Connected, _timeout);
            _connected = true;
        }

        /// <summary>Waits for the peer's <c>done</c>; returns what follows it.</summary>
        /// <exception cref="IOException">The peer failed, exited, or overstayed.</exception>
        public string Finish()
        {
            if (!_connected)
            {
                WaitConnected();
            }

            string line = _peer.Expect(PeerRequests.Done, _timeout);
            return line.Length > PeerRequests.Done.Length ? line[(PeerRequests.Done.Length + 1)..] : string.Empty;
        }

        public void Dispose() => _failed.Dispose();

        internal void Cancel()
        {
            try
            {
                _failed.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The request is over.
            }
        }
    }
}
