using OpenVdi.Engine.Statements;

namespace OpenVdi.Engine.Tests.Statements;

public class BackupStatementTests
{
    [Fact]
    public void Parses_the_documented_example()
    {
        var statement = Parse.Backup(
            "BACKUP DATABASE MYDB TO VIRTUAL_DEVICE='{0D0F5BA0-1234}' WITH BLOCKSIZE=4096, BUFFERCOUNT=20, MAXTRANSFERSIZE=524288");

        Assert.Equal(
            new BackupStatement
            {
                Kind = BackupKind.Database,
                DatabaseName = "MYDB",
                Devices = ["{0D0F5BA0-1234}"],
                BlockSize = 4096,
                BufferCount = 20,
                MaxTransferSize = 524288,
            },
            statement);
    }

    [Fact]
    public void A_backup_without_options_leaves_every_option_unset()
    {
        var statement = Parse.Backup("BACKUP DATABASE db TO VIRTUAL_DEVICE = 'set'");

        Assert.Equal(BackupKind.Database, statement.Kind);
        Assert.Equal("db", statement.DatabaseName);
        Assert.Equal(["set"], statement.Devices);
        Assert.Null(statement.BlockSize);
        Assert.Null(statement.BufferCount);
        Assert.Null(statement.MaxTransferSize);
        Assert.Null(statement.Checksum);
        Assert.Null(statement.Stats);
        Assert.False(statement.CopyOnly);
        Assert.False(statement.Differential);
        Assert.Null(statement.Format);
        Assert.Null(statement.Init);
        Assert.Null(statement.Name);
        Assert.Null(statement.Description);
        Assert.Equal("BACKUP DATABASE", statement.OperationName);
    }

    [Fact]
    public void Parses_backup_log()
    {
        var statement = Parse.Backup("BACKUP LOG db TO VIRTUAL_DEVICE = 'set' WITH INIT");

        Assert.Equal(BackupKind.Log, statement.Kind);
        Assert.Equal("BACKUP LOG", statement.OperationName);
        Assert.True(statement.Init);
    }

    [Fact]
    public void Reads_every_backup_option()
    {
        var statement = Parse.Backup(
            """
            BACKUP DATABASE db TO VIRTUAL_DEVICE = 'set'
            WITH BLOCKSIZE = 65536, BUFFERCOUNT = 7, MAXTRANSFERSIZE = 4194304, CHECKSUM, COPY_ONLY,
                 DIFFERENTIAL, FORMAT, INIT, NAME = 'full', DESCRIPTION = N'nightly', STATS = 5
            """);

        Assert.Equal(
            new BackupStatement
            {
                Kind = BackupKind.Database,
                DatabaseName = "db",
                Devices = ["set"],
                BlockSize = 65536,
                BufferCount = 7,
                MaxTransferSize = 4194304,
                Checksum = true,
                CopyOnly = true,
                Differential = true,
                Format = true,
                Init = true,
                Name = "full",
                Description = "nightly",
                Stats = 5,
            },
            statement);
    }

    [Fact]
    public void Reads_the_negative_forms_as_false()
    {
        var statement = Parse.Backup("BACKUP DATABASE db TO VIRTUAL_DEVICE = 'set' WITH NO_CHECKSUM, NOFORMAT, NOINIT");

        Assert.False(statement.Checksum);
        Assert.False(statement.Format);
        Assert.False(statement.Init);
    }

    [Theory]
    [InlineData("STATS", 10)]
    [InlineData("STATS = 1", 1)]
    [InlineData("STATS=100", 100)]
    public void Stats_without_a_value_means_every_ten_percent(string option, int stats)
    {
        Assert.Equal(stats, Parse.Backup($"BACKUP DATABASE db TO VIRTUAL_DEVICE = 'set' WITH {option}").Stats);
    }

    [Theory]
    [InlineData(512)]
    [InlineData(1024)]
    [InlineData(2048)]
    [InlineData(4096)]
    [InlineData(8192)]
    [InlineData(16384)]
    [InlineData(32768)]
    [InlineData(65536)]
    public void Accepts_every_power_of_two_block_size(int blockSize)
    {
        Assert.Equal(blockSize, Parse.Backup($"BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' WITH BLOCKSIZE = {blockSize}").BlockSize);
    }

    [Theory]
    [InlineData(65536)]
    [InlineData(131072)]
    [InlineData(1048576)]
    [InlineData(4194304)]
    public void Accepts_transfer_sizes_in_steps_of_64_KB(int size)
    {
        Assert.Equal(size, Parse.Backup($"BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' WITH MAXTRANSFERSIZE = {size}").MaxTransferSize);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("+3", 3)]
    [InlineData("0004", 4)]
    public void Accepts_any_positive_buffer_count(string written, int count)
    {
        Assert.Equal(count, Parse.Backup($"BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' WITH BUFFERCOUNT = {written}").BufferCount);
    }

    [Theory]
    [InlineData("backup database db to virtual_device = 's' with init, stats")]
    [InlineData("Backup Database db To Virtual_Device = 's' With Init, Stats")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' WITH INIT, STATS")]
    public void Keywords_and_options_are_case_insensitive(string text)
    {
        var statement = Parse.Backup(text);
        Assert.True(statement.Init);
        Assert.Equal(10, statement.Stats);
    }

    [Theory]
    [InlineData("[my db]", "my db")]
    [InlineData("[a]]b]", "a]b")]
    [InlineData("\"my db\"", "my db")]
    [InlineData("[WITH]", "WITH")]
    [InlineData("[]]]", "]")]
    [InlineData("MyDb", "MyDb")]
    [InlineData("LOG", "LOG")]
    public void Reads_plain_bracketed_and_quoted_database_names(string written, string name)
    {
        Assert.Equal(name, Parse.Backup($"BACKUP DATABASE {written} TO VIRTUAL_DEVICE = 's'").DatabaseName);
    }

    [Theory]
    [InlineData("N'set'")]
    [InlineData("n'set'")]
    public void Reads_unicode_device_names(string written)
    {
        Assert.Equal(["set"], Parse.Backup($"BACKUP DATABASE db TO VIRTUAL_DEVICE = {written}").Devices);
    }

    [Fact]
    public void Keeps_quotes_and_case_inside_names()
    {
        var statement = Parse.Backup("BACKUP DATABASE db TO VIRTUAL_DEVICE = N'O''Brien''s Set' WITH NAME = 'it''s', DESCRIPTION = ''");

        Assert.Equal(["O'Brien's Set"], statement.Devices);
        Assert.Equal("it's", statement.Name);
        Assert.Equal("", statement.Description);
    }

    [Theory]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 's';")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' ;  ")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 's';;")]
    [InlineData(";BACKUP DATABASE db TO VIRTUAL_DEVICE = 's'")]
    public void Accepts_semicolons_around_the_statement(string text)
    {
        Assert.Equal(["s"], Parse.Backup(text).Devices);
    }

    [Fact]
    public void Accepts_comments_and_line_breaks_anywhere()
    {
        var statement = Parse.Backup(
            """
            -- nightly backup
            BACKUP /* the database */ DATABASE
                [db] -- name
                TO /* one /* nested */ device */ VIRTUAL_DEVICE
                = N'set'
            WITH
                -- options follow
                BLOCKSIZE/**/=/**/4096,
                INIT -- last
            ; -- done
            """);

        Assert.Equal("db", statement.DatabaseName);
        Assert.Equal(["set"], statement.Devices);
        Assert.Equal(4096, statement.BlockSize);
        Assert.True(statement.Init);
    }

    [Fact]
    public void Accepts_text_without_any_optional_whitespace()
    {
        var statement = Parse.Backup("BACKUP DATABASE[db]TO VIRTUAL_DEVICE=N'a',VIRTUAL_DEVICE='b'WITH BLOCKSIZE=512,STATS=1");

        Assert.Equal(["a", "b"], statement.Devices);
        Assert.Equal(512, statement.BlockSize);
        Assert.Equal(1, statement.Stats);
    }

    [Fact]
    public void Identical_statements_are_equal_records()
    {
        var first = Parse.Backup("BACKUP DATABASE db TO VIRTUAL_DEVICE = 'a', VIRTUAL_DEVICE = 'b' WITH INIT");
        var second = Parse.Backup("backup database [db] to virtual_device = N'a', virtual_device = 'b' with init;");
        var other = Parse.Backup("BACKUP DATABASE db TO VIRTUAL_DEVICE = 'b', VIRTUAL_DEVICE = 'a' WITH INIT");

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void The_result_says_where_the_statement_starts()
    {
        var result = Parse.Succeeds("\n\n   BACKUP DATABASE db TO VIRTUAL_DEVICE = 's'");
        Assert.Equal(new SourcePosition(3, 4, 5), result.Position);
    }
}
