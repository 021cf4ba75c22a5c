using OpenVdi.Engine.Statements;

namespace OpenVdi.Engine.Tests.Statements;

public class BadStatementTests
{
    [Theory]
    [InlineData("BACKUP", "BACKUP")]
    [InlineData("BACKUP DATABASE", "DATABASE")]
    [InlineData("BACKUP DATABASE db", "db")]
    [InlineData("BACKUP DATABASE db TO", "TO")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE", "VIRTUAL_DEVICE")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE =", "=")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' WITH", "WITH")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' WITH INIT,", ",")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' WITH BLOCKSIZE =", "=")]
    [InlineData("RESTORE VERIFYONLY", "VERIFYONLY")]
    [InlineData("RESTORE VERIFYONLY FROM", "FROM")]
    [InlineData("backup database db to -- nothing follows", "to")]
    [InlineData("BACKUP DATABASE db TO /* c */", "TO")]
    public void Text_that_runs_out_is_102_near_its_last_token(string text, string near)
    {
        Parse.CompileError(text, 102, $"Incorrect syntax near '{near}'.");
    }

    [Theory]
    [InlineData("BACKUP DATABASE db;", ";")]
    [InlineData("BACKUP DATABASE db TO;", ";")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' WITH;", ";")]
    [InlineData("RESTORE DATABASE db FROM;", ";")]
    public void A_semicolon_where_more_was_wanted_is_102_near_it(string text, string near)
    {
        Parse.CompileError(text, 102, $"Incorrect syntax near '{near}'.");
    }

    [Theory]
    [InlineData("BACKUP DATABASE db WITH INIT", "WITH")]
    [InlineData("BACKUP DATABASE db TO WITH INIT", "WITH")]
    [InlineData("BACKUP DATABASE FROM TO VIRTUAL_DEVICE = 's'", "FROM")]
    [InlineData("BACKUP DATABASE db FROM VIRTUAL_DEVICE = 's'", "FROM")]
    [InlineData("RESTORE DATABASE db TO VIRTUAL_DEVICE = 's'", "TO")]
    [InlineData("RESTORE HEADERONLY WITH CHECKSUM", "WITH")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' WITH To", "To")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' WITH INIT SELECT", "SELECT")]
    [InlineData("BACKUP TABLE t TO VIRTUAL_DEVICE = 's'", "TABLE")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = set", "set")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 's'; BACKUP LOG db TO VIRTUAL_DEVICE = 't'", "BACKUP")]
    public void A_reserved_keyword_out_of_place_is_156_as_written(string text, string keyword)
    {
        Parse.CompileError(text, 156, $"Incorrect syntax near the keyword '{keyword}'.");
    }

    [Theory]
    [InlineData("BACKUP DATABSE db TO VIRTUAL_DEVICE = 's'", "DATABSE")]
    [InlineData("BACKUP DATABASE db TOO VIRTUAL_DEVICE = 's'", "TOO")]
    [InlineData("BACKUP DATABASE db.dbo TO VIRTUAL_DEVICE = 's'", ".")]
    [InlineData("BACKUP DATABASE 'db' TO VIRTUAL_DEVICE = 's'", "db")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' WITH INIT INIT", "INIT")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' extra", "extra")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' WITH [INIT]", "INIT")]
    [InlineData("RESTORE DATABASE db FROM VIRTUAL_DEVICE = 's' WITH 5", "5")]
    [InlineData("RESTORE EVERYTHING FROM VIRTUAL_DEVICE = 's'", "EVERYTHING")]
    [InlineData("hello", "hello")]
    [InlineData("42", "42")]
    [InlineData("'just a string'", "just a string")]
    public void Any_other_token_out_of_place_is_102(string text, string near)
    {
        Parse.CompileError(text, 102, $"Incorrect syntax near '{near}'.");
    }

    [Fact]
    public void A_syntax_error_reports_the_line_and_position_of_its_token()
    {
        const string Text = "BACKUP DATABASE db\n  TO VIRTUAL_DEVICE = 's'\n  WITH INIT,\n       NOPE NOPE";
        var result = Parse.Fails(Text);

        var error = Assert.Single(result.Messages);
        Assert.Equal(155, error.Number);
        Assert.Equal(4, error.LineNumber);
        Assert.Equal(new SourcePosition(4, 8, Text.IndexOf("NOPE", StringComparison.Ordinal)), result.Position);
    }

    [Fact]
    public void Text_that_runs_out_reports_the_line_of_its_last_token()
    {
        var result = Parse.Fails("BACKUP DATABASE db\nTO\n\n-- trailing comment\n");
        Assert.Equal(2, result.Error!.LineNumber);
        Assert.Equal("Incorrect syntax near 'TO'.", result.Error.Text);
    }

    [Fact]
    public void A_statement_error_reports_the_line_where_the_statement_starts()
    {
        var result = Parse.Fails("\n\nBACKUP DATABASE db TO VIRTUAL_DEVICE = 's'\nWITH INIT,\nNOINIT");
        Assert.All(result.Messages, m => Assert.Equal(3, m.LineNumber));
        Assert.Equal(5, result.Position.Line);
    }

    [Fact]
    public void An_unclosed_string_is_105_then_102()
    {
        var result = Parse.Fails("BACKUP DATABASE db TO VIRTUAL_DEVICE = 'never closed");

        Assert.Equal(
            [
                (105, "Unclosed quotation mark after the character string 'never closed'."),
                (102, "Incorrect syntax near 'never closed'."),
            ],
            result.Messages.Select(m => (m.Number, m.Text)));
        Assert.All(result.Messages, m => Assert.Equal(15, m.Severity));
    }

    [Fact]
    public void An_unclosed_bracket_is_105_then_102()
    {
        var result = Parse.Fails("BACKUP DATABASE [db TO VIRTUAL_DEVICE = 's'");
        Assert.Equal([105, 102], result.Messages.Select(m => m.Number));
        Assert.Equal("Unclosed quotation mark after the character string 'db TO VIRTUAL_DEVICE = 's''.", result.Messages[0].Text);
    }

    [Fact]
    public void An_unclosed_comment_is_113()
    {
        Parse.CompileError("BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' /* /* */ still open", 113, "Missing end comment mark '*/'.");
    }

    [Fact]
    public void A_syntax_error_before_a_lexical_error_is_reported_first()
    {
        Parse.CompileError("BACKUP DATABASE db WITH NAME = 'open", 156, "Incorrect syntax near the keyword 'WITH'.");
    }

    [Fact]
    public void A_too_long_database_name_is_103()
    {
        var name = new string('x', 129);
        Parse.CompileError($"BACKUP DATABASE [{name}] TO VIRTUAL_DEVICE = 's'", 103,
            $"The identifier that starts with '{new string('x', 128)}' is too long. Maximum length is 128.");
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"\"")]
    public void An_empty_database_name_is_1038(string name)
    {
        var error = Parse.CompileError($"BACKUP DATABASE {name} TO VIRTUAL_DEVICE = 's'", 1038,
            "An object or column name is missing or empty. For SELECT INTO statements, verify each column has a name. For other statements, look for empty alias names. Aliases defined as \"\" or [] are not allowed. Change the alias to a valid name.");
        Assert.Equal(1, error.LineNumber);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \r\n\t")]
    [InlineData("-- only a comment")]
    [InlineData("/* only a comment */")]
    [InlineData(";")]
    [InlineData(" ; ;; ")]
    public void Text_without_a_statement_is_50001(string text)
    {
        var error = Parse.Refused(text);
        Assert.Equal(50001, error.Number);
        Assert.Equal("The statement text is empty. Expected a BACKUP or RESTORE statement.", error.Text);
    }

    [Theory]
    [InlineData("SELECT 1", "SELECT")]
    [InlineData("drop database db", "DROP")]
    [InlineData("RESTORE REWINDONLY FROM TAPE = 'x'", "RESTORE REWINDONLY")]
    [InlineData("BACKUP CERTIFICATE c TO FILE = 'x'", "BACKUP CERTIFICATE")]
    [InlineData("backup master key to file = 'x'", "BACKUP MASTER")]
    [InlineData("BACKUP DATABASE db FILE = 'f' TO VIRTUAL_DEVICE = 's'", "FILE")]
    [InlineData("BACKUP DATABASE db FILEGROUP = 'g' TO VIRTUAL_DEVICE = 's'", "FILEGROUP")]
    [InlineData("RESTORE DATABASE db PAGE = '1:57' FROM VIRTUAL_DEVICE = 's'", "PAGE")]
    [InlineData("RESTORE DATABASE db FROM DATABASE_SNAPSHOT = 'snap'", "DATABASE_SNAPSHOT")]
    public void Sql_server_forms_the_engine_does_not_run_are_50002(string text, string feature)
    {
        var error = Parse.Refused(text);
        Assert.Equal(50002, error.Number);
        Assert.Equal($"'{feature}' is not supported by this engine, which runs BACKUP and RESTORE statements on virtual devices only.", error.Text);
    }

    [Fact]
    public void Null_text_is_the_only_exception()
    {
        Assert.Throws<ArgumentNullException>(() => StatementParser.Parse(null!));
    }

    [Theory]
    [InlineData("\0")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' WITH \u0001")]
    [InlineData("))))")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' WITH ENCRYPTION (ALGORITHM = AES_256")]
    [InlineData("RESTORE DATABASE db FROM VIRTUAL_DEVICE = 's' WITH STOPAT =")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' WITH BLOCKSIZE = -")]
    public void Garbage_is_refused_with_a_message_not_an_exception(string text)
    {
        var result = Parse.Fails(text);
        Assert.All(result.Messages, m => Assert.True(m.IsError));
    }
}
