using OpenVdi.Engine.Statements;

namespace OpenVdi.Engine.Tests.Statements;

public class RestoreStatementTests
{
    [Fact]
    public void Parses_restore_database_with_every_option()
    {
        var statement = Parse.Restore(
            """
            RESTORE DATABASE [Sales Copy] FROM VIRTUAL_DEVICE = N'set', VIRTUAL_DEVICE = N'set_2'
            WITH REPLACE,
                 MOVE N'Sales' TO N'/var/opt/data/sales_copy.mdf',
                 MOVE 'Sales_log' TO '/var/opt/data/sales_copy.ldf',
                 NORECOVERY, STATS = 25, CHECKSUM, BLOCKSIZE = 4096, BUFFERCOUNT = 16, MAXTRANSFERSIZE = 1048576
            """);

        Assert.Equal(
            new RestoreStatement
            {
                Kind = RestoreKind.Database,
                DatabaseName = "Sales Copy",
                Devices = ["set", "set_2"],
                Replace = true,
                Moves =
                [
                    new FileMove("Sales", "/var/opt/data/sales_copy.mdf"),
                    new FileMove("Sales_log", "/var/opt/data/sales_copy.ldf"),
                ],
                Recovery = false,
                Stats = 25,
                Checksum = true,
                BlockSize = 4096,
                BufferCount = 16,
                MaxTransferSize = 1048576,
            },
            statement);
        Assert.Equal("RESTORE DATABASE", statement.OperationName);
    }

    [Fact]
    public void A_restore_without_options_leaves_every_option_unset()
    {
        var statement = Parse.Restore("RESTORE DATABASE db FROM VIRTUAL_DEVICE = 'set'");

        Assert.Equal(RestoreKind.Database, statement.Kind);
        Assert.Equal("db", statement.DatabaseName);
        Assert.Equal(["set"], statement.Devices);
        Assert.False(statement.Replace);
        Assert.Empty(statement.Moves);
        Assert.Null(statement.Recovery);
        Assert.Null(statement.Stats);
        Assert.Null(statement.Checksum);
        Assert.Null(statement.BlockSize);
        Assert.Null(statement.BufferCount);
        Assert.Null(statement.MaxTransferSize);
    }

    [Fact]
    public void Parses_restore_log_with_recovery()
    {
        var statement = Parse.Restore("RESTORE LOG db FROM VIRTUAL_DEVICE = 'set' WITH RECOVERY, NO_CHECKSUM, STATS");

        Assert.Equal(RestoreKind.Log, statement.Kind);
        Assert.Equal("RESTORE LOG", statement.OperationName);
        Assert.True(statement.Recovery);
        Assert.False(statement.Checksum);
        Assert.Equal(10, statement.Stats);
    }

    [Theory]
    [InlineData("VERIFYONLY", RestoreKind.VerifyOnly, "VERIFY DATABASE")]
    [InlineData("HEADERONLY", RestoreKind.HeaderOnly, "RESTORE HEADERONLY")]
    [InlineData("FILELISTONLY", RestoreKind.FileListOnly, "RESTORE FILELIST")]
    [InlineData("LABELONLY", RestoreKind.LabelOnly, "RESTORE LABELONLY")]
    [InlineData("verifyonly", RestoreKind.VerifyOnly, "VERIFY DATABASE")]
    [InlineData("HeaderOnly", RestoreKind.HeaderOnly, "RESTORE HEADERONLY")]
    public void Parses_the_forms_that_name_no_database(string word, RestoreKind kind, string operation)
    {
        var statement = Parse.Restore($"RESTORE {word} FROM VIRTUAL_DEVICE = 'set', VIRTUAL_DEVICE = 'second'");

        Assert.Equal(kind, statement.Kind);
        Assert.Null(statement.DatabaseName);
        Assert.Equal(["set", "second"], statement.Devices);
        Assert.Equal(operation, statement.OperationName);
    }

    [Theory]
    [InlineData("VERIFYONLY")]
    [InlineData("HEADERONLY")]
    [InlineData("FILELISTONLY")]
    [InlineData("LABELONLY")]
    public void Every_form_takes_checksum_and_the_transfer_options(string word)
    {
        var statement = Parse.Restore(
            $"RESTORE {word} FROM VIRTUAL_DEVICE = 'set' WITH CHECKSUM, BLOCKSIZE = 65536, BUFFERCOUNT = 2, MAXTRANSFERSIZE = 65536");

        Assert.True(statement.Checksum);
        Assert.Equal(65536, statement.BlockSize);
        Assert.Equal(2, statement.BufferCount);
        Assert.Equal(65536, statement.MaxTransferSize);
    }

    [Fact]
    public void Verifyonly_also_takes_stats_and_move()
    {
        var statement = Parse.Restore(
            "RESTORE VERIFYONLY FROM VIRTUAL_DEVICE = 'set' WITH STATS = 50, MOVE 'data' TO '/tmp/data.mdf', NO_CHECKSUM");

        Assert.Equal(50, statement.Stats);
        Assert.Equal([new FileMove("data", "/tmp/data.mdf")], statement.Moves);
        Assert.False(statement.Checksum);
    }

    [Fact]
    public void Keeps_moves_in_the_order_written()
    {
        var statement = Parse.Restore(
            "RESTORE DATABASE db FROM VIRTUAL_DEVICE = 's' WITH MOVE 'b' TO 'y', REPLACE, MOVE 'a' TO 'x', MOVE 'c' TO 'z'");

        Assert.Equal(["b", "a", "c"], statement.Moves.Select(m => m.LogicalName));
        Assert.Equal(["y", "x", "z"], statement.Moves.Select(m => m.PhysicalName));
    }

    [Theory]
    [InlineData("restore database [db] from virtual_device = n's' with replace, norecovery")]
    [InlineData("RESTORE DATABASE \"db\" FROM VIRTUAL_DEVICE = N's' WITH REPLACE, NORECOVERY;")]
    [InlineData("RESTORE\nDATABASE\tdb\r\nFROM /* c */ VIRTUAL_DEVICE=N's'--x\nWITH REPLACE,NORECOVERY")]
    public void Reads_the_same_statement_however_it_is_written(string text)
    {
        Assert.Equal(
            new RestoreStatement
            {
                Kind = RestoreKind.Database,
                DatabaseName = "db",
                Devices = ["s"],
                Replace = true,
                Recovery = false,
            },
            Parse.Restore(text));
    }
}
