using System.Diagnostics;

using Xunit;

namespace OpenVdi.Testing;

/// <summary>
/// A real child process running OpenVdi.TestPeer in a role. Its stdout is read line by line: tests wait for the
/// line that says the peer reached a point, with a timeout that fails the test with what the peer said so far.
/// Disposing kills the peer if it still runs.
/// </summary>
public sealed class PeerProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private PeerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static PeerProcess Start(params string[] args) => StartAssembly("OpenVdi.TestPeer.dll", null, args);

    /// <summary>
    /// Starts the peer program <paramref name="assembly"/> (a dll next to the test assembly) with
    /// <paramref name="args"/>, its environment changed by <paramref name="environment"/> (a null value removes a
    /// variable).
    /// </summary>
    public static PeerProcess StartAssembly(string assembly, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        string peer = Path.Combine(AppContext.BaseDirectory, assembly);
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(peer);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        return new PeerProcess(Process.Start(info) ?? throw new InvalidOperationException("The test peer did not start."));
    }

    /// <summary>Reads every line the peer still prints, until it closes its output; fails the test after <paramref name="timeoutMs"/>.</summary>
    public async Task<IReadOnlyList<string>> ReadToEndAsync(int timeoutMs = 30000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        var rest = new List<string>();
        try
        {
            while (await _process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
            {
                _lines.Add(line);
                rest.Add(line);
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The peer did not end its output within {timeoutMs} ms. It said: {string.Join(" | ", _lines)}");
        }

        return rest;
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>; returns it.</summary>
    public async Task<string> WaitForLineAsync(string prefix, int timeoutMs = 30000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            while (true)
            {
                string? line = await _process.StandardOutput.ReadLineAsync(cts.Token);
                if (line is null)
                {
                    Assert.Fail($"The peer exited before saying '{prefix}'. It said: {string.Join(" | ", _lines)}");
                }

                _lines.Add(line!);
                if (line!.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The peer did not say '{prefix}' within {timeoutMs} ms. It said: {string.Join(" | ", _lines)}");
            throw;
        }
    }

    public void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Closes the peer's standard input: a peer that reads until the end of its input then ends.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>SIGKILL: the peer gets no chance to clean up.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(int timeoutMs = 30000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The peer did not exit within {timeoutMs} ms. It said: {string.Join(" | ", _lines)}");
        }

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
}
