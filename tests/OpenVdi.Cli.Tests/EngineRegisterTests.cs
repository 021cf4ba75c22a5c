using System.Diagnostics;
using OpenVdi.Cli.Tests.Infrastructure;
using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Format;
using OpenVdi.Engine.FrontDoor;

namespace OpenVdi.Cli.Tests;

/// <summary>'vdi engine register': existing files, here a real SQLite database, become a database the engine backs up and restores.</summary>
public sealed class EngineRegisterTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 180_000)]
    public async Task A_registered_SQLite_database_backs_up_over_VDI_and_restores_under_a_new_name_byte_for_byte()
    {
        using var temp = new TempDirectory();
        string data = temp.Combine("data");
        string file = temp.Combine("app", "orders.sqlite");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        Sqlite(file, """
            PRAGMA page_size = 4096;
            CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, note BLOB);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
            INSERT INTO orders (customer, note) SELECT 'customer ' || (i % 97), randomblob(200) FROM n;
            CREATE INDEX orders_customer ON orders (customer);
            """);
        byte[] original = File.ReadAllBytes(file);
        Assert.Equal("SQLite format 3\0"u8.ToArray(), original[..16]);

        var registered = Vdi.Run("engine", "register", "--name", "orders", "--file", file, "--data", data);
        Assert.True(registered.Code == 0, registered.Error);
        Assert.Contains("registered database 'orders'", registered.Output, StringComparison.Ordinal);
        var database = new DatabaseCatalogue(data).Get("orders");
        var spec = Assert.Single(database.Files);
        Assert.Equal(new DatabaseFileSpec("orders", file, DatabaseFileType.Data), spec);

        string socket = temp.Combine("engine.sock");
        var daemon = new EngineDaemon(new StatementEngine(new EngineOptions { DataDirectory = data }), new EngineDaemonOptions { SocketPath = socket });
        daemon.Start();
        try
        {
            var backup = await Vdi.RunAsync("backup", "--database", "orders", "--to", temp.Combine("b"), "--devices", "3", "--socket", socket, "--checksum");
            Assert.True(backup.Code == 0, backup.Error);
            Assert.Contains("BACKUP DATABASE successfully processed", backup.Output, StringComparison.Ordinal);

            var restore = await Vdi.RunAsync("restore", "--from", temp.Combine("b"), "--database", "orders_copy", "--socket", socket);
            Assert.True(restore.Code == 0, restore.Error);
        }
        finally
        {
            await daemon.StopAsync().WaitAsync(s_limit);
        }

        var copy = new DatabaseCatalogue(data).Get("orders_copy");
        string restored = copy.GetFullPath(Assert.Single(copy.Files));
        Assert.NotEqual(file, restored);
        Assert.True(original.AsSpan().SequenceEqual(File.ReadAllBytes(restored)), "The restored SQLite file differs from the registered one.");
        Assert.True(original.AsSpan().SequenceEqual(File.ReadAllBytes(file)), "The registered file changed.");
        Assert.Equal("ok\n5000\n", Sqlite(restored, "PRAGMA integrity_check; SELECT count(*) FROM orders;"));
    }

    [Fact]
    public void Register_refuses_a_file_that_does_not_exist_and_a_name_already_taken()
    {
        using var temp = new TempDirectory();
        string data = temp.Combine("data");
        File.WriteAllBytes(temp.Combine("a.db"), [1, 2, 3]);

        var missing = Vdi.Run("engine", "register", "--name", "db", "--file", temp.Combine("nothing.db"), "--data", data);
        var missingLog = Vdi.Run("engine", "register", "--name", "db", "--file", temp.Combine("a.db"), "--log", temp.Combine("a.db-log-none"), "--data", data);
        var ok = Vdi.Run("engine", "register", "--name", "db", "--file", temp.Combine("a.db"), "--data", data);
        var again = Vdi.Run("engine", "register", "--name", "DB", "--file", temp.Combine("a.db"), "--data", data);

        Assert.Equal(1, missing.Code);
        Assert.Contains("nothing.db' of database 'db' does not exist", missing.Error, StringComparison.Ordinal);
        Assert.Equal(1, missingLog.Code);
        Assert.Contains("a.db-log-none' of database 'db' does not exist", missingLog.Error, StringComparison.Ordinal);
        Assert.Equal(0, ok.Code);
        Assert.Equal(1, again.Code);
        Assert.Contains("already exists", again.Error, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(temp.Combine("a.db")));
    }

    [Theory]
    [InlineData("engine register --name db", "Option '--file' is required")]
    [InlineData("engine register --file x.db", "Option '--name' is required")]
    [InlineData("engine register --name ../up --file x.db", "is not a valid database name")]
    public void A_wrong_register_command_line_exits_2_with_the_reason(string line, string reason)
    {
        var (code, _, error) = Vdi.Run(line.Split(' '));

        Assert.Equal(2, code);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    /// <summary>Runs the sqlite3 shell on <paramref name="path"/> and returns what it printed.</summary>
    private static string Sqlite(string path, string sql)
    {
        var start = new ProcessStartInfo("sqlite3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-batch");
        start.ArgumentList.Add(path);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("This test needs the sqlite3 shell on PATH (apt install sqlite3) to make a real SQLite database.", e);
        }

        using (process)
        {
            process.StandardInput.Write(sql);
            process.StandardInput.Close();
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            Assert.True(process.WaitForExit(30_000), "sqlite3 did not finish within 30 s.");
            Assert.True(process.ExitCode == 0, $"sqlite3 failed: {error}");
            return output;
        }
    }
}
