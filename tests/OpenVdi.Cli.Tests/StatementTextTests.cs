using OpenVdi.Cli.Client;
using OpenVdi.Engine.Format;
using OpenVdi.Engine.Statements;

namespace OpenVdi.Cli.Tests;

/// <summary>The statements the tool writes parse back, through the engine's own parser, to what was meant.</summary>
public sealed class StatementTextTests
{
    private static readonly string[] s_devices = ["vdi-{3805AE94}", "vdi-{3805AE94}.2"];

    [Fact]
    public void A_backup_statement_names_every_device_and_option()
    {
        var request = new BackupRequest { Database = "sales]2024", Directory = "/b", Transfer = new TransferOptions(65536, 1 << 20, 12, 10) };

        var statement = Assert.IsType<BackupStatement>(StatementParser.Parse(StatementText.Backup(request, s_devices)).Statement);

        Assert.Equal("sales]2024", statement.DatabaseName);
        Assert.Equal(s_devices, statement.Devices);
        Assert.Equal((65536, 1 << 20, 12, 10, true), (statement.BlockSize, statement.MaxTransferSize, statement.BufferCount, statement.Stats, statement.Checksum));
        Assert.Equal((BackupKind.Database, false, false), (statement.Kind, statement.Differential, statement.CopyOnly));
    }

    [Theory]
    [InlineData("Full", false, BackupKind.Database, false)]
    [InlineData("Differential", true, BackupKind.Database, true)]
    [InlineData("Log", false, BackupKind.Log, false)]
    public void Every_backup_type_copy_only_and_no_checksum_reach_the_statement(string level, bool copyOnly, BackupKind kind, bool differential)
    {
        var request = new BackupRequest { Database = "db", Directory = "/b", Level = Enum.Parse<BackupLevel>(level), CopyOnly = copyOnly, Checksum = false };

        var statement = Assert.IsType<BackupStatement>(StatementParser.Parse(StatementText.Backup(request, s_devices)).Statement);

        Assert.Equal((kind, differential, copyOnly, false), (statement.Kind, statement.Differential, statement.CopyOnly, statement.Checksum));
    }

    [Fact]
    public void A_restore_statement_carries_replace_moves_norecovery_and_checksum_with_quotes_doubled()
    {
        var request = new RestoreRequest
        {
            Directory = "/b",
            Database = "it's",
            Replace = true,
            Moves = [("o'brien", "/data/o'brien.mdf"), ("log", "/data/log.ldf")],
            Recovery = false,
            RequireChecksum = true,
        };

        var statement = Assert.IsType<RestoreStatement>(StatementParser.Parse(StatementText.Restore(request, s_devices, new TransferOptions(4096), BackupType.Database)).Statement);

        Assert.Equal(RestoreKind.Database, statement.Kind);
        Assert.Equal("it's", statement.DatabaseName);
        Assert.True(statement.Replace);
        Assert.Equal([new FileMove("o'brien", "/data/o'brien.mdf"), new FileMove("log", "/data/log.ldf")], statement.Moves);
        Assert.Equal((false, true), (statement.Recovery, statement.Checksum));
        Assert.Equal(4096, statement.BlockSize);
        Assert.Null(statement.MaxTransferSize);
    }

    [Fact]
    public void A_log_backup_is_restored_with_restore_log()
    {
        var request = new RestoreRequest { Directory = "/b", Database = "db" };

        var statement = Assert.IsType<RestoreStatement>(StatementParser.Parse(StatementText.Restore(request, s_devices, new TransferOptions(), BackupType.Log)).Statement);

        Assert.Equal(RestoreKind.Log, statement.Kind);
        Assert.Null(statement.Recovery);
    }

    [Theory]
    [InlineData("HeaderOnly", RestoreKind.HeaderOnly)]
    [InlineData("FileListOnly", RestoreKind.FileListOnly)]
    [InlineData("LabelOnly", RestoreKind.LabelOnly)]
    public void Verify_and_the_listings_parse_and_the_listings_leave_out_stats(string listing, RestoreKind expected)
    {
        var kind = Enum.Parse<InspectionKind>(listing);
        var options = new TransferOptions(512, 65536, null, 5);

        var verify = Assert.IsType<RestoreStatement>(StatementParser.Parse(StatementText.Verify(s_devices, options, requireChecksum: true)).Statement);
        var parsed = StatementParser.Parse(StatementText.Inspect(kind, s_devices, options));

        Assert.Equal((RestoreKind.VerifyOnly, 5, true), (verify.Kind, verify.Stats, verify.Checksum));
        Assert.True(parsed.Succeeded, parsed.Error?.Text);
        Assert.Equal(expected, ((RestoreStatement)parsed.Statement!).Kind);
        Assert.Null(parsed.Statement!.Stats);
    }

    [Fact]
    public void Without_options_there_is_no_with_clause() =>
        Assert.Equal("RESTORE VERIFYONLY FROM VIRTUAL_DEVICE = N'a'", StatementText.Verify(["a"], new TransferOptions()));
}
