namespace OpenVdi.Engine.Tests.Statements;

public class OptionRuleTests
{
    private const string Backup = "BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' WITH ";
    private const string Restore = "RESTORE DATABASE db FROM VIRTUAL_DEVICE = 's' WITH ";

    private static string Conflict(string first, string second) =>
        $"Option '{first}' conflicts with option(s) '{second}'. Remove the conflicting option and reissue the statement.";

    private static string NotSupported(string options) =>
        $"One or more of the options ({options}) are not supported for this statement. Review the documentation for supported options.";

    [Theory]
    [InlineData("INIT, NOINIT", "init", "noinit")]
    [InlineData("NOINIT, INIT", "noinit", "init")]
    [InlineData("FORMAT, STATS, NOFORMAT", "format", "noformat")]
    [InlineData("CHECKSUM, NO_CHECKSUM", "checksum", "no_checksum")]
    [InlineData("no_checksum, checksum", "no_checksum", "checksum")]
    public void Conflicting_backup_options_are_3031(string options, string first, string second)
    {
        Parse.StatementError(Backup + options, 3031, Conflict(first, second), "BACKUP DATABASE");
    }

    [Theory]
    [InlineData("RECOVERY, NORECOVERY", "recovery", "norecovery")]
    [InlineData("NORECOVERY, REPLACE, RECOVERY", "norecovery", "recovery")]
    [InlineData("CHECKSUM, NO_CHECKSUM", "checksum", "no_checksum")]
    public void Conflicting_restore_options_are_3031(string options, string first, string second)
    {
        Parse.StatementError(Restore + options, 3031, Conflict(first, second), "RESTORE DATABASE");
    }

    [Fact]
    public void Conflicts_are_checked_on_the_header_forms_too()
    {
        Parse.StatementError("RESTORE LABELONLY FROM VIRTUAL_DEVICE = 's' WITH NO_CHECKSUM, CHECKSUM", 3031,
            Conflict("no_checksum", "checksum"), "RESTORE LABELONLY");
    }

    [Theory]
    [InlineData("INIT, INIT", "INIT")]
    [InlineData("STATS = 10, BLOCKSIZE = 512, stats", "stats")]
    [InlineData("NAME = 'a', NAME = 'b'", "NAME")]
    [InlineData("BUFFERCOUNT = 1, BufferCount = 1", "BufferCount")]
    public void An_option_given_twice_is_1039(string options, string repeated)
    {
        Parse.CompileError(Backup + options, 1039, $"Option '{repeated}' is specified more than once.");
    }

    [Fact]
    public void A_restore_option_given_twice_is_1039_but_move_repeats()
    {
        Parse.CompileError(Restore + "REPLACE, MOVE 'a' TO 'b', REPLACE", 1039, "Option 'REPLACE' is specified more than once.");
        Assert.Equal(2, Parse.Restore(Restore + "MOVE 'a' TO 'b', MOVE 'c' TO 'd'").Moves.Count);
    }

    [Theory]
    [InlineData("REPLACE", "replace")]
    [InlineData("RECOVERY", "recovery")]
    [InlineData("NORECOVERY", "norecovery")]
    [InlineData("MOVE 'a' TO 'b'", "move")]
    [InlineData("REPLACE, INIT, MOVE 'a' TO 'b'", "replace, move")]
    public void Restore_options_on_a_backup_are_3032(string options, string listed)
    {
        Parse.StatementError(Backup + options, 3032, NotSupported(listed), "BACKUP DATABASE");
    }

    [Theory]
    [InlineData("INIT", "init")]
    [InlineData("NOINIT", "noinit")]
    [InlineData("FORMAT", "format")]
    [InlineData("NOFORMAT", "noformat")]
    [InlineData("COPY_ONLY", "copy_only")]
    [InlineData("DIFFERENTIAL", "differential")]
    [InlineData("NAME = 'x'", "name")]
    [InlineData("DESCRIPTION = 'x'", "description")]
    public void Backup_options_on_a_restore_are_3032(string option, string listed)
    {
        Parse.StatementError(Restore + option, 3032, NotSupported(listed), "RESTORE DATABASE");
    }

    [Fact]
    public void Differential_is_for_backup_database_only()
    {
        Parse.StatementError("BACKUP LOG db TO VIRTUAL_DEVICE = 's' WITH DIFFERENTIAL", 3032,
            NotSupported("differential"), "BACKUP LOG");
    }

    [Theory]
    [InlineData("VERIFYONLY", "REPLACE", "replace", "VERIFY DATABASE")]
    [InlineData("VERIFYONLY", "NORECOVERY", "norecovery", "VERIFY DATABASE")]
    [InlineData("HEADERONLY", "STATS", "stats", "RESTORE HEADERONLY")]
    [InlineData("HEADERONLY", "MOVE 'a' TO 'b'", "move", "RESTORE HEADERONLY")]
    [InlineData("FILELISTONLY", "STATS = 10, RECOVERY", "stats, recovery", "RESTORE FILELIST")]
    [InlineData("LABELONLY", "INIT", "init", "RESTORE LABELONLY")]
    public void The_header_forms_take_fewer_options(string form, string options, string listed, string operation)
    {
        Parse.StatementError($"RESTORE {form} FROM VIRTUAL_DEVICE = 's' WITH {options}", 3032, NotSupported(listed), operation);
    }

    [Theory]
    [InlineData("COMPRESSION", "compression")]
    [InlineData("SKIP, NOREWIND", "skip, norewind")]
    [InlineData("EXPIREDATE = '2030-01-01'", "expiredate")]
    [InlineData("RETAINDAYS = 7", "retaindays")]
    [InlineData("ENCRYPTION (ALGORITHM = AES_256, SERVER CERTIFICATE = BackupCert)", "encryption")]
    [InlineData("MEDIANAME = N'm', INIT", "medianame")]
    public void Sql_server_options_the_engine_does_not_implement_are_3032(string options, string listed)
    {
        Parse.StatementError(Backup + options, 3032, NotSupported(listed), "BACKUP DATABASE");
    }

    [Theory]
    [InlineData("FILE = 1", "file")]
    [InlineData("STOPATMARK = 'mark' AFTER '2030-01-01'", "stopatmark")]
    [InlineData("KEEP_CDC, RECOVERY", "keep_cdc")]
    public void Sql_server_restore_options_the_engine_does_not_implement_are_3032(string options, string listed)
    {
        Parse.StatementError(Restore + options, 3032, NotSupported(listed), "RESTORE DATABASE");
    }

    [Theory]
    [InlineData("BOGUS", "BOGUS", 1)]
    [InlineData("Bogus = 5", "Bogus", 2)]
    [InlineData("INIT, FAST", "FAST", 1)]
    public void An_unknown_backup_option_is_155(string options, string word, byte state)
    {
        var error = Parse.CompileError(Backup + options, 155, $"'{word}' is not a recognized BACKUP option.");
        Assert.Equal(state, error.State);
    }

    [Fact]
    public void An_unknown_restore_option_is_155()
    {
        Parse.CompileError(Restore + "QUICKLY", 155, "'QUICKLY' is not a recognized RESTORE option.");
        Parse.CompileError("RESTORE VERIFYONLY FROM VIRTUAL_DEVICE = 's' WITH LOUDLY = 1", 155,
            "'LOUDLY' is not a recognized RESTORE option.");
    }

    [Theory]
    [InlineData("BLOCKSIZE = @size", "@size")]
    [InlineData("NAME = @name", "@name")]
    [InlineData("STATS = @pct", "@pct")]
    public void A_variable_option_value_is_undeclared_137(string option, string variable)
    {
        Parse.CompileError(Backup + option, 137, $"Must declare the scalar variable \"{variable}\".");
    }

    [Fact]
    public void A_variable_database_name_is_undeclared_137()
    {
        Parse.CompileError("BACKUP DATABASE @db TO VIRTUAL_DEVICE = @dev", 137, "Must declare the scalar variable \"@db\".");
        Parse.CompileError("RESTORE DATABASE @db FROM VIRTUAL_DEVICE = 's' WITH MOVE @f TO 'x'", 137, "Must declare the scalar variable \"@db\".");
    }

    [Fact]
    public void Compile_errors_come_before_statement_errors()
    {
        // 1039 (compile time) is reported although the options also conflict (3031) and a value is out of range (3250).
        Parse.CompileError(Backup + "INIT, NOINIT, STATS = 0, INIT", 1039, "Option 'INIT' is specified more than once.");
    }

    [Fact]
    public void Options_the_form_does_not_take_come_before_conflicts_and_values()
    {
        Parse.StatementError(Backup + "STATS = 0, INIT, NOINIT, REPLACE", 3032, NotSupported("replace"), "BACKUP DATABASE");
        Parse.StatementError(Backup + "STATS = 0, INIT, NOINIT", 3031, Conflict("init", "noinit"), "BACKUP DATABASE");
    }
}
