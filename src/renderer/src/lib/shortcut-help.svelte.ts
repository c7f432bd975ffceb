// Whether the keyboard-shortcut help overlay is open: the `?` key and the header's `?` button both open it.
class ShortcutHelp {
  open = $state(false);

  show(): void {
    this.open = true;
  }

  hide(): void {
    this.open = false;
  }
}

export const shortcutHelp = new ShortcutHelp();
