vim.g.mapleader = " "
vim.keymap.set("n", "<leader>w", "<cmd>write<cr>")
