package dev.mnemo.nn.init;

/** Shared argument checks of the recipes. */
final class RecipeChecks {

    private RecipeChecks() {
    }

    static void square(BlockInit recipe, BlockContext ctx) {
        if (!ctx.square()) {
            throw new IllegalArgumentException(recipe.name() + " needs a square block, got " + ctx.parameter() + "["
                    + ctx.gate() + "] of " + ctx.rows() + "×" + ctx.cols());
        }
    }
}
