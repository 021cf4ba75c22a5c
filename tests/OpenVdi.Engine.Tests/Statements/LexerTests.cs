using OpenVdi.Engine.Statements;

namespace OpenVdi.Engine.Tests.Statements;

public class LexerTests
{
    private static List<Token> Lex(string text)
    {
        var tokens = Tokenizer.Tokenize(text).ToList();
        Assert.True(tokens[^1].Kind is TokenKind.EndOfInput or TokenKind.LexicalError);
        return tokens;
    }

    private static Token Single(string text)
    {
        var tokens = Lex(text);
        Assert.Equal(2, tokens.Count);
        Assert.Equal(TokenKind.EndOfInput, tokens[1].Kind);
        return tokens[0];
    }

    private static Token LexicalError(string text)
    {
        var last = Lex(text)[^1];
        Assert.Equal(TokenKind.LexicalError, last.Kind);
        Assert.NotNull(last.Errors);
        return last;
    }

    [Fact]
    public void Splits_words_punctuation_and_literals()
    {
        var tokens = Lex("BACKUP DATABASE db TO VIRTUAL_DEVICE='x', VIRTUAL_DEVICE = N'y' WITH BLOCKSIZE=512;");
        Assert.Equal(
            [
                TokenKind.Identifier, TokenKind.Identifier, TokenKind.Identifier, TokenKind.Identifier,
                TokenKind.Identifier, TokenKind.Punctuation, TokenKind.StringLiteral, TokenKind.Punctuation,
                TokenKind.Identifier, TokenKind.Punctuation, TokenKind.StringLiteral, TokenKind.Identifier,
                TokenKind.Identifier, TokenKind.Punctuation, TokenKind.IntegerLiteral, TokenKind.Punctuation,
                TokenKind.EndOfInput,
            ],
            tokens.Select(t => t.Kind));
    }

    [Fact]
    public void Needs_no_whitespace_between_tokens()
    {
        var tokens = Lex("TO[a]=N'b',\"c\"=1");
        Assert.Equal(["TO", "[a]", "=", "N'b'", ",", "\"c\"", "=", "1", ""], tokens.Select(t => t.Text));
    }

    [Theory]
    [InlineData("'abc'", "abc")]
    [InlineData("'it''s'", "it's")]
    [InlineData("''''", "'")]
    [InlineData("''", "")]
    [InlineData("'a -- not a comment /* nor this'", "a -- not a comment /* nor this")]
    [InlineData("'line1\nline2'", "line1\nline2")]
    public void Reads_strings_with_doubled_quotes(string text, string value)
    {
        var token = Single(text);
        Assert.Equal(TokenKind.StringLiteral, token.Kind);
        Assert.Equal(value, token.Value);
        Assert.Equal(text, token.Text);
    }

    [Theory]
    [InlineData("N'abc'")]
    [InlineData("n'abc'")]
    public void Reads_unicode_strings_in_either_case(string text)
    {
        var token = Single(text);
        Assert.Equal(TokenKind.StringLiteral, token.Kind);
        Assert.Equal("abc", token.Value);
    }

    [Fact]
    public void An_N_not_followed_by_a_quote_is_an_identifier()
    {
        var tokens = Lex("N 'x' Nabc");
        Assert.Equal(TokenKind.Identifier, tokens[0].Kind);
        Assert.Equal(TokenKind.StringLiteral, tokens[1].Kind);
        Assert.Equal("Nabc", tokens[2].Value);
    }

    [Theory]
    [InlineData("[my db]", "my db")]
    [InlineData("[a]]b]", "a]b")]
    [InlineData("[a[b]", "a[b")]
    [InlineData("[WITH]", "WITH")]
    [InlineData("\"my db\"", "my db")]
    [InlineData("\"a\"\"b\"", "a\"b")]
    [InlineData("[]", "")]
    public void Reads_delimited_identifiers_with_their_escapes(string text, string value)
    {
        var token = Single(text);
        Assert.Equal(TokenKind.DelimitedIdentifier, token.Kind);
        Assert.Equal(value, token.Value);
        Assert.False(token.IsReservedKeyword);
    }

    [Theory]
    [InlineData("db")]
    [InlineData("_db")]
    [InlineData("#temp")]
    [InlineData("db_1$x#y@z")]
    [InlineData("Übung")]
    public void Reads_regular_identifiers(string text)
    {
        var token = Single(text);
        Assert.Equal(TokenKind.Identifier, token.Kind);
        Assert.Equal(text, token.Value);
    }

    [Theory]
    [InlineData("with")]
    [InlineData("With")]
    [InlineData("WITH")]
    [InlineData("wItH")]
    public void Keywords_are_words_in_any_case(string text)
    {
        var token = Single(text);
        Assert.True(token.IsWord("WITH"));
        Assert.True(token.IsReservedKeyword);
    }

    [Fact]
    public void Only_reserved_words_are_reserved()
    {
        Assert.True(Single("DATABASE").IsReservedKeyword);
        Assert.True(Single("to").IsReservedKeyword);
        Assert.True(Single("FILE").IsReservedKeyword);
        Assert.False(Single("LOG").IsReservedKeyword);
        Assert.False(Single("VIRTUAL_DEVICE").IsReservedKeyword);
        Assert.False(Single("BLOCKSIZE").IsReservedKeyword);
    }

    [Fact]
    public void Reads_variables_and_a_lone_at_sign_as_punctuation()
    {
        Assert.Equal(TokenKind.Variable, Single("@dev").Kind);
        Assert.Equal(TokenKind.Variable, Single("@@version").Kind);
        Assert.Equal(TokenKind.Punctuation, Lex("@ x")[0].Kind);
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("65536", true)]
    [InlineData("00042", true)]
    [InlineData("12.5", false)]
    [InlineData(".5", false)]
    [InlineData("1e3", false)]
    [InlineData("2E-4", false)]
    [InlineData("0x1F", false)]
    public void Tells_integers_from_other_numbers(string text, bool isInteger)
    {
        var token = Single(text);
        Assert.Equal(isInteger ? TokenKind.IntegerLiteral : TokenKind.OtherNumber, token.Kind);
        Assert.Equal(text, token.Text);
    }

    [Fact]
    public void A_38_digit_integer_is_a_number()
    {
        Assert.Equal(TokenKind.IntegerLiteral, Single(new string('9', 38)).Kind);
        Assert.Equal(TokenKind.IntegerLiteral, Single("000" + new string('9', 38)).Kind);
    }

    [Fact]
    public void A_39_digit_integer_is_message_1007()
    {
        var number = "1" + new string('0', 38);
        var error = Assert.Single(LexicalError(number).Errors!);
        Assert.Equal(1007, error.Number);
        Assert.Equal(15, error.Severity);
        Assert.Equal($"The number '{number}' is out of the range for numeric representation (maximum precision 38).", error.Text);
    }

    [Theory]
    [InlineData("-- a comment\nINIT")]
    [InlineData("/* a comment */INIT")]
    [InlineData("/* outer /* inner */ still outer */ INIT")]
    [InlineData("/* a ' quote inside */ INIT")]
    [InlineData("/**/INIT--trailing")]
    [InlineData("  \t\r\n INIT \r\n")]
    public void Skips_whitespace_and_comments(string text)
    {
        var token = Single(text);
        Assert.Equal("INIT", token.Text);
    }

    [Fact]
    public void A_line_comment_ends_at_the_line_break()
    {
        var tokens = Lex("A -- B\r\nC -- D\rE");
        Assert.Equal(["A", "C", "E", ""], tokens.Select(t => t.Text));
    }

    [Fact]
    public void Tracks_line_and_column_through_comments_and_strings()
    {
        var tokens = Lex("BACKUP /* one\r\ntwo */ DATABASE\n  'a\nb' x\r y");
        Assert.Equal(new SourcePosition(1, 1, 0), tokens[0].Position);
        Assert.Equal(2, tokens[1].Position.Line);
        Assert.Equal(8, tokens[1].Position.Column);
        Assert.Equal(new SourcePosition(3, 3, 33), tokens[2].Position);
        Assert.Equal(4, tokens[3].Position.Line);
        Assert.Equal(4, tokens[3].Position.Column);
        Assert.Equal(5, tokens[4].Position.Line);
        Assert.Equal(2, tokens[4].Position.Column);
    }

    [Fact]
    public void An_unclosed_string_is_105_then_102_near_its_content()
    {
        var error = LexicalError("INIT, NAME = 'it''s open");
        Assert.Equal(
            [
                (105, "Unclosed quotation mark after the character string 'it's open'."),
                (102, "Incorrect syntax near 'it's open'."),
            ],
            error.Errors!.Select(m => (m.Number, m.Text)));
    }

    [Theory]
    [InlineData("[abc", "abc")]
    [InlineData("[a]]b", "a]b")]
    [InlineData("\"a\"\"b", "a\"b")]
    [InlineData("N'abc", "abc")]
    public void An_unclosed_delimiter_is_105_too(string text, string rest)
    {
        var error = LexicalError(text);
        Assert.Equal(105, error.Errors![0].Number);
        Assert.Equal($"Unclosed quotation mark after the character string '{rest}'.", error.Errors[0].Text);
    }

    [Theory]
    [InlineData("INIT /* open")]
    [InlineData("INIT /* a /* b */")]
    public void An_unclosed_block_comment_is_113(string text)
    {
        var tokens = Lex(text);
        Assert.Equal("INIT", tokens[0].Text);
        var error = Assert.Single(tokens[^1].Errors!);
        Assert.Equal(113, error.Number);
        Assert.Equal("Missing end comment mark '*/'.", error.Text);
    }

    [Fact]
    public void Lexical_errors_carry_the_line_they_start_on()
    {
        var error = LexicalError("INIT\n\n  'open");
        Assert.Equal(3, error.Position.Line);
        Assert.All(error.Errors!, m => Assert.Equal(3, m.LineNumber));
    }

    [Fact]
    public void An_identifier_may_be_128_characters_long()
    {
        Assert.Equal(TokenKind.Identifier, Single(new string('a', 128)).Kind);
        Assert.Equal(TokenKind.DelimitedIdentifier, Single("[" + new string('a', 128) + "]").Kind);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_identifier_of_129_characters_is_103(bool bracketed)
    {
        var name = new string('a', 128) + "b";
        var error = Assert.Single(LexicalError(bracketed ? $"[{name}]" : name).Errors!);
        Assert.Equal(103, error.Number);
        Assert.Equal($"The identifier that starts with '{new string('a', 128)}' is too long. Maximum length is 128.", error.Text);
    }

    [Fact]
    public void Stops_at_the_first_lexical_error()
    {
        var tokens = Lex("A 'open B C");
        Assert.Equal(2, tokens.Count);
        Assert.Equal(TokenKind.LexicalError, tokens[1].Kind);
    }
}
