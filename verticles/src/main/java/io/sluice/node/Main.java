package io.sluice.node;

import io.sluice.cli.SluiceCli;

/** The runnable jar's entry point: {@code sluice node …} starts a node; every other command is the CLI. */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) {
    SluiceCli.main(args);
  }
}
