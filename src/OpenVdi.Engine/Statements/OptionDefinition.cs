namespace OpenVdi.Engine.Statements;

/// <summary>One WITH option word.</summary>
/// <param name="Word">Which option.</param>
/// <param name="Name">The option in lower case, as SQL Server prints it in messages 3031 and 3032.</param>
/// <param name="Shape">What follows the word.</param>
/// <param name="AllowedIn">The statement forms that take the option.</param>
internal sealed record OptionDefinition(OptionWord Word, string Name, OptionShape Shape, StatementKind AllowedIn)
{
    /// <summary>The option's name in upper case, as message 3250 prints it.</summary>
    public string UpperName => Name.ToUpperInvariant();
}
