namespace OpenVdi.Engine.Statements;

/// <summary>One WITH option, as written; its value is checked by the binder.</summary>
/// <param name="Definition">Which option.</param>
/// <param name="Word">The option's word token.</param>
internal sealed record OptionSyntax(OptionDefinition Definition, Token Word)
{
    /// <summary>The integer or string after <c>=</c>, or MOVE's logical name; null when none was written.</summary>
    public Token? Value { get; init; }

    /// <summary>Whether the integer value was written with a minus sign.</summary>
    public bool Negative { get; init; }

    /// <summary>MOVE's target path.</summary>
    public Token? MoveTarget { get; init; }
}
