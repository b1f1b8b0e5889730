/** UTF-16 index of each code point index of `text` (one past the end included): Hugging Face's Node binding gives
 * offsets in code points, .NET strings count UTF-16 code units. */
export function utf16Positions(text) {
  const positions = [0];
  let unit = 0;
  for (const character of text) {
    unit += character.length;
    positions.push(unit);
  }
  return positions;
}
