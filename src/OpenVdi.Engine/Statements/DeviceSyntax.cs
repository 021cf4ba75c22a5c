namespace OpenVdi.Engine.Statements;

/// <summary>One device of a TO or FROM list, as written.</summary>
/// <param name="Start">The device's first token.</param>
/// <param name="Name">The name: a string or variable after <c>VIRTUAL_DEVICE =</c>, or the identifier or variable of a named (logical) device.</param>
/// <param name="IsVirtualDevice">True for <c>VIRTUAL_DEVICE = …</c>, false for a named device.</param>
internal sealed record DeviceSyntax(Token Start, Token Name, bool IsVirtualDevice);
