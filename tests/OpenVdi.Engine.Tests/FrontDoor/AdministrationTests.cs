using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Format;
using OpenVdi.Engine.FrontDoor;
using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Tests.FrontDoor.Infrastructure;

namespace OpenVdi.Engine.Tests.FrontDoor;

/// <summary>The daemon as a service: its status, its databases listed, and one dropped, over the real socket.</summary>
public sealed class AdministrationTests
{
    [Fact(Timeout = 60_000)]
    public async Task Status_says_the_version_pid_data_directory_and_databases()
    {
        using var data = new TempData();
        SampleDatabase.Create(data.Path, "sales", 1 << 20, seed: 1);
        await using var harness = DaemonHarness.Start(new StatementEngine(new EngineOptions { DataDirectory = data.Path }));

        var status = await harness.Client().GetStatusAsync().WaitAsync(DaemonHarness.Limit);

        Assert.Equal(EngineStatus.ThisVersion, status.Version);
        Assert.Equal(Environment.ProcessId, status.ProcessId);
        Assert.Equal(harness.SocketPath, status.SocketPath);
        Assert.Equal(data.Path, status.DataDirectory);
        Assert.Equal(1, status.Databases);
        Assert.Equal(0, status.RunningStatements);
        Assert.NotNull(status.StartedAt);
        Assert.True(status.StartedAt <= DateTimeOffset.UtcNow);
    }

    [Fact(Timeout = 60_000)]
    public async Task List_gives_every_database_with_its_state_and_files()
    {
        using var data = new TempData();
        SampleDatabase.Create(data.Path, "sales", 2 << 20, seed: 1);
        SampleDatabase.Create(data.Path, "hr", 1 << 20, seed: 2);
        await using var harness = DaemonHarness.Start(new StatementEngine(new EngineOptions { DataDirectory = data.Path }));

        var databases = await harness.Client().ListDatabasesAsync().WaitAsync(DaemonHarness.Limit);

        Assert.Equal(["hr", "sales"], databases.Select(d => d.Name));
        var sales = databases[1];
        Assert.False(sales.IsRestoring);
        Assert.Equal(2 << 20, sales.SizeBytes);
        Assert.Contains(sales.Files, f => f.Type == DatabaseFileType.Log && f.LogicalName == "sales_log" && File.Exists(f.Path));
    }

    [Fact(Timeout = 60_000)]
    public async Task Drop_removes_a_database_and_answers_3701_for_one_that_is_not_there()
    {
        using var data = new TempData();
        var sales = SampleDatabase.Create(data.Path, "sales", 1 << 20, seed: 1);
        await using var harness = DaemonHarness.Start(new StatementEngine(new EngineOptions { DataDirectory = data.Path }));

        var dropped = await harness.Client().DropDatabaseAsync("sales").WaitAsync(DaemonHarness.Limit);
        var again = await harness.Client().DropDatabaseAsync("sales").WaitAsync(DaemonHarness.Limit);

        Assert.True(dropped.Succeeded);
        Assert.Empty(dropped.Messages);
        Assert.False(Directory.Exists(sales.Directory));
        Assert.False(again.Succeeded);
        Assert.Equal(SqlMessageNumbers.CannotDropDatabaseNotFound, again.FirstError!.Number);
        await harness.LogLine("drop failed: Msg 3701");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_database_a_backup_is_using_cannot_be_dropped()
    {
        using var data = new TempData();
        SampleDatabase.Create(data.Path, "sales", 1 << 20, seed: 1);
        var engine = new StatementEngine(new EngineOptions { DataDirectory = data.Path, SetOpenTimeout = TimeSpan.FromSeconds(30) });
        string setName = "drop-" + Guid.NewGuid().ToString("N");
        using var set = VirtualDeviceSet.Create(setName, new VdConfig { DeviceCount = 1 });

        // The backup holds the database from before it configures the set until it ends.
        var backup = engine.ExecuteAsync($"BACKUP DATABASE [sales] TO VIRTUAL_DEVICE = '{setName}'");
        await set.GetConfigurationAsync(DaemonHarness.Limit);
        var refused = engine.DropDatabase("sales");
        set.Abort();
        await backup.WaitAsync(DaemonHarness.Limit);

        Assert.False(refused.Succeeded);
        Assert.Equal(SqlMessageNumbers.CannotDropDatabaseInUse, refused.FirstError!.Number);
        Assert.True(engine.Catalogue.Exists("sales"));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_engine_without_databases_answers_list_with_an_error_the_client_reports()
    {
        await using var harness = DaemonHarness.Start(ScriptedEngine.Sending());

        var e = await Assert.ThrowsAsync<EngineClientException>(() => harness.Client().ListDatabasesAsync().WaitAsync(DaemonHarness.Limit));

        Assert.Equal(EngineClientError.EngineFault, e.Error);
        Assert.Contains("no databases to list", e.Message, StringComparison.Ordinal);
    }

    private sealed class TempData : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("ovdi-admin-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
