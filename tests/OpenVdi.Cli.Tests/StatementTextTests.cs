using OpenVdi.Cli.Client;
using OpenVdi.Engine.Statements;

namespace OpenVdi.Cli.Tests;

/// <summary>The statements the tool writes parse back, through the engine's own parser, to what was meant.</summary>
public sealed class StatementTextTests
{
    private static readonly string[] s_devices = ["vdi-{3805AE94}", "vdi-{3805AE94}.2"];

    [Fact]
    public void A_backup_statement_names_every_device_and_option()
    {
        string text = StatementText.Backup("sales]2024", s_devices, new TransferOptions(65536, 1 << 20, 12, 10), checksum: true);

        var statement = Assert.IsType<BackupStatement>(StatementParser.Parse(text).Statement);

        Assert.Equal("sales]2024", statement.DatabaseName);
        Assert.Equal(s_devices, statement.Devices);
        Assert.Equal((65536, 1 << 20, 12, 10, true), (statement.BlockSize, statement.MaxTransferSize, statement.BufferCount, statement.Stats, statement.Checksum));
    }

    [Fact]
    public void A_restore_statement_carries_replace_and_moves_with_quotes_doubled()
    {
        string text = StatementText.RestoreDatabase("it's", s_devices, new TransferOptions(4096, null, null, null), replace: true, [("o'brien", "/data/o'brien.mdf"), ("log", "/data/log.ldf")]);

        var statement = Assert.IsType<RestoreStatement>(StatementParser.Parse(text).Statement);

        Assert.Equal(RestoreKind.Database, statement.Kind);
        Assert.Equal("it's", statement.DatabaseName);
        Assert.True(statement.Replace);
        Assert.Equal([new FileMove("o'brien", "/data/o'brien.mdf"), new FileMove("log", "/data/log.ldf")], statement.Moves);
        Assert.Equal(4096, statement.BlockSize);
        Assert.Null(statement.MaxTransferSize);
    }

    [Fact]
    public void Verify_and_headeronly_parse_and_headeronly_leaves_out_stats()
    {
        var options = new TransferOptions(512, 65536, null, 5);

        var verify = Assert.IsType<RestoreStatement>(StatementParser.Parse(StatementText.Verify(s_devices, options)).Statement);
        var header = StatementParser.Parse(StatementText.HeaderOnly(s_devices, options));

        Assert.Equal((RestoreKind.VerifyOnly, 5), (verify.Kind, verify.Stats));
        Assert.True(header.Succeeded, header.Error?.Text);
        Assert.Equal(RestoreKind.HeaderOnly, ((RestoreStatement)header.Statement!).Kind);
        Assert.Null(header.Statement!.Stats);
    }

    [Fact]
    public void Without_options_there_is_no_with_clause() =>
        Assert.Equal("RESTORE VERIFYONLY FROM VIRTUAL_DEVICE = N'a'", StatementText.Verify(["a"], new TransferOptions()));
}
