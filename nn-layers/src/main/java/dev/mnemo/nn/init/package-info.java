/**
 * Initializers of recurrent layers (xavier, kaiming, orthogonal, irnn, sp-rnn, eigen,
 * spectrum-matched, pytorch), applied per H×H gate block of {@code weight_hh}, seeded, described and
 * recorded. See reference/eigen.md.
 */
package dev.mnemo.nn.init;
