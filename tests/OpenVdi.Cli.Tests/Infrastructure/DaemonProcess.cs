using OpenVdi.Cli.Client;

namespace OpenVdi.Cli.Tests.Infrastructure;

/// <summary>
/// 'vdi engine serve' as its own process on a fresh private directory, ready when it said READY=1; disposing stops it
/// with SIGTERM, checks that it stopped cleanly, and deletes the directory.
/// </summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_startLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_stopLimit = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _temp;
    private readonly EngineProcess _engine;

    private DaemonProcess(TempDirectory temp, EngineProcess engine)
    {
        _temp = temp;
        _engine = engine;
    }

    public TempDirectory Temp => _temp;

    public string Data => _temp.Combine("data");

    public string Socket => _temp.Combine("e.sock");

    public string Output => _engine.Output;

    public static async Task<DaemonProcess> StartAsync(params string[] options)
    {
        var temp = new TempDirectory();
        try
        {
            return new DaemonProcess(temp, await EngineProcess.StartAsync(temp.Combine("data"), temp.Combine("e.sock"), s_startLimit, CancellationToken.None, options));
        }
        catch
        {
            temp.Dispose();
            throw;
        }
    }

    /// <summary>Runs a 'vdi' command in this process against this daemon (its --socket added).</summary>
    public Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => Vdi.RunAsync([.. args, "--socket", Socket]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            int? exit = await _engine.StopAsync(s_stopLimit);
            Assert.True(exit == 0, $"The daemon did not stop cleanly (exit {exit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none: killed"}). Its output:\n{_engine.Output}");
        }
        finally
        {
            _engine.Dispose();
            _temp.Dispose();
        }
    }
}
