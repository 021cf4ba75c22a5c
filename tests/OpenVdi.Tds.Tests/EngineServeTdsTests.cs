using OpenVdi.Cli.Client;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Serve;
using OpenVdi.Engine.Databases;
using OpenVdi.Tds.Tests.Infrastructure;

namespace OpenVdi.Tds.Tests;

/// <summary>
/// 'vdi engine serve --tds' as its own process, and 'vdi backup|restore --server' against it: the whole path a user
/// takes, across real processes. And the options that must not let it start open, or at all.
/// </summary>
public sealed class EngineServeTdsTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 240_000)]
    public async Task Engine_serve_with_tds_takes_vdi_backup_and_restore_with_server_and_the_restore_is_byte_identical()
    {
        string root = Directory.CreateTempSubdirectory("ovdi-serve-").FullName;
        try
        {
            string data = Path.Combine(root, "data");
            var sample = SampleDatabase.Create(data, "sales", (5 << 20) + 4096, seed: 8);
            string password = "Serve-" + Guid.NewGuid().ToString("N");
            using var engine = await EngineProcess.StartAsync(data, Path.Combine(root, "e.sock"), s_limit, CancellationToken.None,
                ["--tds", "127.0.0.1:0", "--tds-login", "backup"], new Dictionary<string, string> { [TdsFrontDoorSettings.PasswordVariable] = password });
            try
            {
                string[] endpoint = engine.TdsEndpoint!.Split(':');
                string server = $"Server={endpoint[0]},{endpoint[1]};User Id=backup;Password={password};TrustServerCertificate=true;Pooling=false";
                async Task<(int Code, string Output, string Error)> Run(params string[] args)
                {
                    try
                    {
                        return await Vdi.RunAsync(args).WaitAsync(s_limit);
                    }
                    catch (TimeoutException)
                    {
                        Assert.Fail($"vdi {args[0]} did not end within {s_limit.TotalSeconds} s. The engine's log:\n{engine.Output}");
                        throw;
                    }
                }

                var backedUp = await Run("backup", "--database", "sales", "--to", Path.Combine(root, "b"), "--devices", "2", "--server", server);
                var restored = await Run("restore", "--from", Path.Combine(root, "b"), "--database", "sales_copy", "--server", server);

                Assert.True(backedUp.Code == 0 && restored.Code == 0, $"backup {backedUp.Code}, restore {restored.Code}:\n{backedUp.Error}{restored.Error}\n{engine.Output}");
                var (bytes, difference) = FileComparison.Compare(sample, new DatabaseCatalogue(data).Get("sales_copy"));
                Assert.Null(difference);
                Assert.Equal((5 << 20) + 4096, bytes);
                Assert.Contains("encryption required", engine.Output, StringComparison.Ordinal);
                Assert.Contains("thumbprint (SHA-1)", engine.Output, StringComparison.Ordinal);
                Assert.DoesNotContain(password, engine.Output, StringComparison.Ordinal);
            }
            finally
            {
                Assert.Equal(0, await engine.StopAsync(TimeSpan.FromSeconds(30)));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("--tds needs at least one --tds-login NAME", "--tds", "0")]
    [InlineData("the --tds-* options need --tds", "--tds-login", "backup")]
    [InlineData("--tds-certificate-key needs --tds-certificate", "--tds", "0", "--tds-login", "backup", "--tds-certificate-key", "k.pem")]
    [InlineData("write an IPv6 address in brackets", "--tds", "::1:1433", "--tds-login", "backup")]
    public void Tds_options_that_cannot_work_are_usage_errors(string expected, params string[] options)
    {
        var (exit, _, error) = Vdi.Run(["engine", "serve", "--data", Path.GetTempPath(), .. options]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_password_file_others_can_read_is_refused_and_nothing_starts()
    {
        string root = Directory.CreateTempSubdirectory("ovdi-serve-").FullName;
        try
        {
            string file = Path.Combine(root, "password");
            File.WriteAllText(file, "secret\n");
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var (exit, _, error) = Vdi.Run("engine", "serve", "--data", Path.Combine(root, "data"), "--socket", Path.Combine(root, "e.sock"), "--tds", "0", "--tds-login", "backup", "--tds-password-file", file);

            Assert.Equal(ExitCodes.Failed, exit);
            Assert.Contains("can be read or written by others", error, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(root, "e.sock")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
