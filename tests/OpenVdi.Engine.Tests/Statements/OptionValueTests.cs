namespace OpenVdi.Engine.Tests.Statements;

public class OptionValueTests
{
    private const string Backup = "BACKUP DATABASE db TO VIRTUAL_DEVICE = 's' WITH ";
    private const string Restore = "RESTORE DATABASE db FROM VIRTUAL_DEVICE = 's' WITH ";

    private static string OutOfRange(string value, string parameter) =>
        $"The value '{value}' is not within range for the {parameter} parameter.";

    [Theory]
    [InlineData("1000")]
    [InlineData("513")]
    [InlineData("3000")]
    [InlineData("0")]
    [InlineData("-512")]
    public void A_block_size_that_is_not_a_power_of_two_is_3253(string value)
    {
        Parse.StatementError(Backup + $"BLOCKSIZE = {value}", 3253,
            "The block size parameter must supply a value that is a power of 2.", "BACKUP DATABASE");
    }

    [Theory]
    [InlineData("256")]
    [InlineData("1")]
    [InlineData("131072")]
    [InlineData("1073741824")]
    public void A_power_of_two_block_size_outside_512_to_65536_is_3250(string value)
    {
        Parse.StatementError(Backup + $"BLOCKSIZE = {value}", 3250, OutOfRange(value, "BLOCKSIZE"), "BACKUP DATABASE");
    }

    [Theory]
    [InlineData("65535")]
    [InlineData("100000")]
    [InlineData("65537")]
    [InlineData("0")]
    [InlineData("32768")]
    [InlineData("4259840")]
    [InlineData("8388608")]
    [InlineData("-65536")]
    public void A_transfer_size_that_is_not_a_multiple_of_64_KB_up_to_4_MB_is_3250(string value)
    {
        Parse.StatementError(Backup + $"MAXTRANSFERSIZE = {value}", 3250, OutOfRange(value, "MAXTRANSFERSIZE"), "BACKUP DATABASE");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void A_buffer_count_below_one_is_3250(string value)
    {
        Parse.StatementError(Backup + $"BUFFERCOUNT = {value}", 3250, OutOfRange(value, "BUFFERCOUNT"), "BACKUP DATABASE");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("-5")]
    [InlineData("1000")]
    public void Stats_outside_1_to_100_is_3250(string value)
    {
        Parse.StatementError(Backup + $"STATS = {value}", 3250, OutOfRange(value, "STATS"), "BACKUP DATABASE");
        Parse.StatementError(Restore + $"STATS = {value}", 3250, OutOfRange(value, "STATS"), "RESTORE DATABASE");
    }

    [Fact]
    public void Restore_checks_its_values_the_same_way()
    {
        Parse.StatementError(Restore + "BLOCKSIZE = 700", 3253,
            "The block size parameter must supply a value that is a power of 2.", "RESTORE DATABASE");
        Parse.StatementError(Restore + "MAXTRANSFERSIZE = 70000", 3250, OutOfRange("70000", "MAXTRANSFERSIZE"), "RESTORE DATABASE");
        Parse.StatementError("RESTORE HEADERONLY FROM VIRTUAL_DEVICE = 's' WITH BUFFERCOUNT = 0", 3250,
            OutOfRange("0", "BUFFERCOUNT"), "RESTORE HEADERONLY");
    }

    [Theory]
    [InlineData("BUFFERCOUNT = 2147483648")]
    [InlineData("BUFFERCOUNT = 99999999999999999999")]
    [InlineData("BLOCKSIZE = -2147483649")]
    [InlineData("STATS = 00000000000000000000000000000000000004294967296")]
    public void A_value_beyond_an_int_is_arithmetic_overflow_8115(string option)
    {
        Parse.StatementError(Backup + option, 8115,
            "Arithmetic overflow error converting expression to data type int.", "BACKUP DATABASE");
    }

    [Fact]
    public void A_value_of_more_than_38_digits_is_1007()
    {
        var number = new string('9', 39);
        var error = Parse.CompileError(Backup + $"BUFFERCOUNT = {number}", 1007,
            $"The number '{number}' is out of the range for numeric representation (maximum precision 38).");
        Assert.Equal(1, error.LineNumber);
    }

    [Theory]
    [InlineData("BLOCKSIZE = 512.0", "512.0")]
    [InlineData("BLOCKSIZE = '512'", "512")]
    [InlineData("BUFFERCOUNT = 1e3", "1e3")]
    [InlineData("BUFFERCOUNT = 0x10", "0x10")]
    [InlineData("STATS = ten", "ten")]
    [InlineData("BLOCKSIZE 512", "512")]
    [InlineData("MAXTRANSFERSIZE = - 65536x", "x")]
    public void Numeric_options_take_integers_only(string option, string near)
    {
        Parse.CompileError(Backup + option, 102, $"Incorrect syntax near '{near}'.");
    }

    [Theory]
    [InlineData("NAME = x", "x")]
    [InlineData("NAME = 5", "5")]
    [InlineData("DESCRIPTION 'x'", "x")]
    [InlineData("MOVE a TO 'b'", "a")]
    public void Text_options_take_strings_only(string option, string near)
    {
        var text = (option.StartsWith("MOVE", StringComparison.Ordinal) ? Restore : Backup) + option;
        Parse.CompileError(text, 102, $"Incorrect syntax near '{near}'.");
    }

    [Fact]
    public void A_move_needs_its_to()
    {
        Parse.CompileError(Restore + "MOVE 'a' 'b'", 102, "Incorrect syntax near 'b'.");
        Parse.CompileError(Restore + "MOVE 'a' TO", 102, "Incorrect syntax near 'TO'.");
    }

    [Fact]
    public void A_flag_takes_no_value()
    {
        Parse.CompileError(Backup + "INIT = 1", 102, "Incorrect syntax near '='.");
    }

    [Fact]
    public void A_value_error_points_at_the_value()
    {
        var text = Backup + "INIT, BLOCKSIZE = 1000";
        var result = Parse.Fails(text);
        Assert.Equal(text.IndexOf("1000", StringComparison.Ordinal), result.Position.Offset);
    }

    [Fact]
    public void The_first_bad_value_in_the_order_written_answers()
    {
        Parse.StatementError(Backup + "STATS = 0, BLOCKSIZE = 1000", 3250, OutOfRange("0", "STATS"), "BACKUP DATABASE");
        Parse.StatementError(Backup + "BLOCKSIZE = 1000, STATS = 0", 3253,
            "The block size parameter must supply a value that is a power of 2.", "BACKUP DATABASE");
    }

    [Theory]
    [InlineData("NAME", 129, 128)]
    [InlineData("NAME", 600, 128)]
    [InlineData("DESCRIPTION", 256, 255)]
    [InlineData("DESCRIPTION", 2000, 255)]
    public void A_name_or_description_longer_than_documented_is_a_statement_error_not_a_fault(string option, int length, int limit)
    {
        Parse.StatementError(Backup + $"{option} = '{new string('n', length)}'", 50005,
            $"The {option} option is {length} characters long; it may be at most {limit} characters.", "BACKUP DATABASE");
    }

    [Theory]
    [InlineData("NAME", 128)]
    [InlineData("DESCRIPTION", 255)]
    public void A_name_or_description_of_the_documented_length_is_taken(string option, int length)
    {
        string text = new('n', length);
        var statement = Parse.Backup(Backup + $"{option} = '{text}'");
        Assert.Equal(text, option == "NAME" ? statement.Name : statement.Description);
    }
}
